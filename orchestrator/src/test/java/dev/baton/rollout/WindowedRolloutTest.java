package dev.baton.rollout;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Deploy windows in the engine, on a fake clock that starts at 2026-01-01T00:00:00Z. */
class WindowedRolloutTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    /** Every night 00:00 to 02:00 UTC. */
    private static final DeployWindow NIGHT_FREEZE = new DeployWindow(DeployWindow.Kind.DENY, "night", "0 0 0 * * ?",
            Duration.ofHours(2), UTC);

    private final FakeClock clock = new FakeClock();
    private final Instant start = clock.now();
    private FakeFleet fleet;
    private RecordingEvents events;
    private RolloutControl control;

    private RolloutResult roll(int hosts, String strategy, DeployWindows windows, Consumer<Event> onEvent) {
        fleet = new FakeFleet(clock, hosts);
        events = new RecordingEvents(fleet);
        control = new RolloutControl();
        control.windows(windows);
        EventSink sink = e -> {
            events.emit(e);
            onEvent.accept(e);
        };
        Plan plan = new PlanLoader().parse("plan.yaml", RolloutStrategyTest.BASE + "strategy: " + strategy + "\n");
        return new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, sink)).run(plan, control, Journal.NONE);
    }

    private Instant left(String host) {
        return events.events.stream().filter(e -> host.equals(e.host()) && e.step() == Step.LEAVE && e.outcome() == Event.Outcome.STARTED)
                .map(Event::at).findFirst().orElseThrow(() -> new AssertionError(host + " never left"));
    }

    private List<String> pauses() {
        return events.events.stream().filter(e -> e.host() == null && e.step() == Step.PAUSE)
                .map(e -> e.outcome() + " " + e.detail()).toList();
    }

    private static DeployWindows windows(DeployWindow... windows) {
        return new DeployWindows(List.of(windows));
    }

    @Test
    void aRolloutInsideADenyWindowWaitsAtTheFirstBatchWithEveryHostInRotationThenGoesOn() {
        RolloutResult result = roll(2, "{ minHealthy: 0 }", windows(NIGHT_FREEZE), e -> {
            if (e.step() == Step.PAUSE && e.outcome() == Event.Outcome.STARTED) assertThat(fleet.maxOut).isZero();
        });

        assertThat(result.succeeded()).isTrue();
        assertThat(pauses()).containsExactly(
                "STARTED outside the deploy windows (inside deny window night): waiting until 2026-01-01T02:00:00Z; every host is in rotation or parked",
                "OK deploy window open");
        assertThat(left("web-1")).isEqualTo(Instant.parse("2026-01-01T02:00:00Z"));
        assertThat(fleet.versions.values()).containsOnly("2.0.0");
    }

    @Test
    void aWindowClosingMidBatchLetsTheBatchFinishByDefaultAndHoldsTheNextBatch() {
        DeployWindow freezeAtOneMinute = new DeployWindow(DeployWindow.Kind.DENY, "later", "0 1 0 * * ?", Duration.ofHours(1), UTC);
        RolloutResult result = roll(4, "{ batch: 3, maxUnavailable: 1, minHealthy: 0 }", windows(freezeAtOneMinute), this::slowFirstHost);

        assertThat(result.succeeded()).isTrue();
        assertThat(left("web-2")).isBefore(Instant.parse("2026-01-01T00:05:00Z"));
        assertThat(left("web-3")).isBefore(Instant.parse("2026-01-01T00:05:00Z"));
        assertThat(left("web-4")).isEqualTo(Instant.parse("2026-01-01T01:01:00Z"));
    }

    @Test
    void windowOverrunPauseStopsFurtherHostsOfTheBatchFromLeaving() {
        DeployWindow freezeAtOneMinute = new DeployWindow(DeployWindow.Kind.DENY, "later", "0 1 0 * * ?", Duration.ofHours(1), UTC);
        RolloutResult result = roll(4, "{ batch: 3, maxUnavailable: 1, minHealthy: 0, windowOverrun: pause }",
                windows(freezeAtOneMinute), this::slowFirstHost);

        assertThat(result.succeeded()).isTrue();
        assertThat(left("web-1")).isEqualTo(start);
        assertThat(left("web-2")).isEqualTo(Instant.parse("2026-01-01T01:01:00Z"));
        assertThat(events.events).filteredOn(e -> e.step() == Step.BATCH).hasSize(4);
        assertThat(fleet.versions.values()).containsOnly("2.0.0");
    }

    @Test
    void withWindowOverrunPauseAWindowClosingAfterTheLastHostLeftDoesNotHoldTheEnd() {
        DeployWindow freezeAtOneMinute = new DeployWindow(DeployWindow.Kind.DENY, "later", "0 1 0 * * ?", Duration.ofHours(1), UTC);
        RolloutResult result = roll(2, "{ batch: 2, maxUnavailable: 1, minHealthy: 0, windowOverrun: pause }",
                windows(freezeAtOneMinute), e -> {
                    if ("web-2".equals(e.host()) && e.step() == Step.JOIN && e.outcome() == Event.Outcome.OK) clock.sleep(Duration.ofMinutes(2));
                });

        assertThat(result.succeeded()).isTrue();
        assertThat(pauses()).isEmpty();
        assertThat(clock.since(start)).isLessThan(Duration.ofMinutes(10));
    }

    /** web-1 is back in rotation two minutes after it left, once the freeze at 00:01 has begun. */
    private void slowFirstHost(Event e) {
        if ("web-1".equals(e.host()) && e.step() == Step.JOIN && e.outcome() == Event.Outcome.OK) clock.sleep(Duration.ofMinutes(2));
    }

    @Test
    void anAdminOverrideLetsAWaitingRolloutGoOnAtOnce() {
        RolloutResult result = roll(2, "{ minHealthy: 0 }", windows(NIGHT_FREEZE), e -> {
            if (e.step() == Step.PAUSE && e.outcome() == Event.Outcome.STARTED) {
                clock.sleep(Duration.ofMinutes(10));
                control.send(RolloutControl.Command.OVERRIDE_WINDOW);
            }
        });

        assertThat(result.succeeded()).isTrue();
        assertThat(pauses()).last().isEqualTo("OK deploy window overridden by an admin");
        assertThat(left("web-1")).isBefore(Instant.parse("2026-01-01T00:11:00Z"));
    }

    @Test
    void anAbortWhileWaitingForAWindowEndsTheRolloutWithNothingChanged() {
        RolloutResult result = roll(2, "{ minHealthy: 0 }", windows(NIGHT_FREEZE), e -> {
            if (e.step() == Step.PAUSE && e.outcome() == Event.Outcome.STARTED) control.send(RolloutControl.Command.ABORT);
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(fleet.calls).noneMatch(c -> c.contains("LEAVE"));
        assertThat(fleet.versions.values()).containsOnly("1.0.0");
    }

    @Test
    void aWindowThatOpensOnlyAfterMaxPauseAbortsAtOnceInsteadOfHoldingTheLock() {
        DeployWindow weekFreeze = new DeployWindow(DeployWindow.Kind.DENY, "new year", "0 0 0 1 1 ?", Duration.ofDays(3), UTC);
        RolloutResult result = roll(2, "{ minHealthy: 0, maxPause: 1h }", windows(weekFreeze), e -> { });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(result.summary()).contains("inside deny window new year").contains("opens at 2026-01-04T00:00:00Z, after maxPause 1h");
        assertThat(clock.since(start)).isLessThan(Duration.ofMinutes(1));
        assertThat(fleet.calls).noneMatch(c -> c.contains("LEAVE"));
    }

    @Test
    void timeWaitingForAWindowDoesNotCountAgainstTheProgressDeadline() {
        RolloutResult result = roll(2, "{ minHealthy: 0, progressDeadline: 30m }", windows(NIGHT_FREEZE), e -> { });

        assertThat(result.succeeded()).isTrue();
        assertThat(clock.since(start)).isGreaterThanOrEqualTo(Duration.ofHours(2));
    }
}
