package dev.baton.rollout;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The promise under faults: an instance taken out always comes back or is parked loudly, operator commands take
 * effect before the next host leaves, and a process that lost the rollout's lock takes no host out.
 */
class InvariantTest {
    private static final String BASE = RolloutStrategyTest.BASE;

    private final FakeClock clock = new FakeClock();
    private FakeFleet fleet = new FakeFleet(clock, 3);
    private RecordingEvents events;
    private final RolloutControl control = new RolloutControl();

    private RolloutResult roll(String yaml, LoadBalancer loadBalancer, Journal journal, Consumer<Event> onEvent) {
        events = new RecordingEvents(fleet);
        EventSink sink = e -> {
            events.emit(e);
            onEvent.accept(e);
        };
        Plan plan = new PlanLoader().parse("plan.yaml", BASE + yaml);
        return new RolloutEngine(new Ports(fleet, fleet, fleet, loadBalancer, fleet, clock, sink)).run(plan, control, journal);
    }

    private RolloutResult roll(String yaml, Consumer<Event> onEvent) {
        return roll(yaml, fleet, Journal.NONE, onEvent);
    }

    private void assertEveryInstanceInRotationOrParked() {
        for (String id : fleet.instances.keySet()) {
            boolean inRotation = fleet.registered.containsKey(id) && !fleet.maintenance.containsKey(id);
            boolean parked = fleet.maintenance.getOrDefault(id, "").startsWith("baton: parked:");
            assertThat(inRotation || parked).as(id + " is in rotation or parked with a reason").isTrue();
        }
    }

    private static final String HAPROXY = "loadBalancer: { haproxy: { runtime: \"unix:/run/haproxy.sock\", backend: web } }\n"
            + "drain: { propagation: { verify: [loadBalancer], timeout: 5s } }\n";

    @Test
    void aLoadBalancerAnswerThatCrashesTheParserStillPutsTheInstanceBack() {
        LoadBalancer garbage = (instance, timeout) -> {
            String[] fields = "1 web".split(" ");
            return fields[5].isEmpty(); // what a malformed `show servers state` row did to the old parser
        };
        RolloutResult result = roll(HAPROXY + "strategy: { onFailure: abort }\n", garbage, Journal.NONE, e -> { });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE FAILED", "RESTORE OK");
        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.RESTORED);
        assertThat(events.events).anyMatch(e -> e.step() == Step.PROPAGATE && e.outcome() == Event.Outcome.FAILED
                && e.detail().startsWith("internal error ArrayIndexOutOfBoundsException"));
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("restart"));
        assertEveryInstanceInRotationOrParked();
        assertThat(fleet.maintenance).isEmpty();
    }

    @Test
    void anErrorThrownByTheAgentClientParksAnUnhealthyHostInsteadOfLeavingItOut() {
        fleet.restartFailure = i -> {
            fleet.unhealthy.add(i.id());
            throw new IllegalStateException("agent answered {\"state\": 42}");
        };
        RolloutResult result = roll("strategy: { onFailure: abort }\n", e -> { });

        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.PARKED);
        assertThat(fleet.maintenance.get("web-1")).startsWith("baton: parked: unhealthy (503) after: internal error IllegalStateException");
        assertEveryInstanceInRotationOrParked();
    }

    @Test
    void aPauseSentWhileABigBatchRunsStopsItBeforeTheNextHostLeaves() {
        AtomicBoolean sent = new AtomicBoolean();
        RolloutResult result = roll("strategy: { batch: 100%, maxUnavailable: 1, maxPause: 10m }\n", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.RESTART && e.outcome() == Event.Outcome.OK && sent.compareAndSet(false, true)) {
                control.send(RolloutControl.Command.PAUSE);
            }
        });

        assertThat(result.status()).as("never resumed: aborted after maxPause").isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(events.steps("web-1")).contains("JOIN OK");
        assertThat(fleet.calls).doesNotContain("save web-2", "save web-3");
        assertThat(result.hosts()).containsEntry("web-1", HostState.DONE).containsEntry("web-2", HostState.SKIPPED)
                .containsEntry("web-3", HostState.SKIPPED);
        assertThat(events.events).anyMatch(e -> e.step() == Step.PAUSE && e.outcome() == Event.Outcome.STARTED);
        assertEveryInstanceInRotationOrParked();
    }

    @Test
    void anAbortSentWhileABigBatchRunsStopsItBeforeTheNextHostLeaves() {
        AtomicBoolean sent = new AtomicBoolean();
        RolloutResult result = roll("strategy: { batch: 100%, maxUnavailable: 1 }\n", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.CHECK && e.outcome() == Event.Outcome.OK && sent.compareAndSet(false, true)) {
                control.send(RolloutControl.Command.ABORT);
            }
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(result.summary()).startsWith("aborted by operator");
        assertThat(fleet.calls).doesNotContain("save web-2", "save web-3");
        assertThat(fleet.versions).containsEntry("web-1", "2.0.0").containsEntry("web-2", "1.0.0");
        assertEveryInstanceInRotationOrParked();
        assertThatThrownBy(() -> control.send(RolloutControl.Command.PAUSE)).hasMessage("the rollout has ended");
    }

    @Test
    void theProgressDeadlineIsCheckedBeforeEveryHostNotOnlyBetweenBatches() {
        fleet.loadBalancerLag = Duration.ofSeconds(40);
        RolloutResult result = roll("loadBalancer: { haproxy: { runtime: \"unix:/run/haproxy.sock\", backend: web } }\n"
                + "drain: { propagation: { verify: [loadBalancer], timeout: 50s } }\n"
                + "strategy: { batch: 100%, maxUnavailable: 1, progressDeadline: 1m, onFailure: abort }\n", e -> { });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(result.summary()).contains("progress deadline 1m00s exceeded");
        assertThat(fleet.calls).contains("save web-2").doesNotContain("save web-3");
    }

    @Test
    void losingTheLockStopsTheRunnerBeforeTheNextHostLeaves() {
        AtomicBoolean lockHeld = new AtomicBoolean(true);
        control.fence(() -> lockHeld.get() ? null : "this server lost the service lock (Consul session expired)");
        RolloutResult result = roll("strategy: { batch: 100%, maxUnavailable: 1 }\n", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.RESTART && e.outcome() == Event.Outcome.STARTED) lockHeld.set(false);
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(result.summary()).isEqualTo("this server lost the service lock (Consul session expired)");
        assertThat(fleet.calls).doesNotContain("save web-2", "save web-3");
        assertThat(result.hosts()).containsEntry("web-1", HostState.DONE);
        assertEveryInstanceInRotationOrParked();
    }

    @Test
    void anInstanceAlreadyAbsentAtTheStartIsReportedAndCountedAgainstCapacity() {
        Journal remembers = new RecordingJournal(Set.of("web-1", "web-2", "web-3"));
        fleet.registered.remove("web-3");

        RolloutResult result = roll("strategy: { capacityWait: 10s, onFailure: abort }\n", fleet, remembers, e -> { });

        assertThat(result.succeeded()).isFalse();
        assertThat(events.events).anyMatch(e -> e.step() == Step.TARGETS && e.outcome() == Event.Outcome.FAILED
                && e.detail().contains("web-3 (absent from Consul)"));
        assertThat(result.summary()).contains("below minHealthy 2 of 3");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("restart"));
    }

    @Test
    void aCriticalInstanceAtTheStartIsReported() {
        fleet.unhealthy.add("web-2");
        roll("strategy: { minHealthy: 1 }\n", e -> { });
        assertThat(events.events).anyMatch(e -> e.step() == Step.TARGETS && e.detail().contains("web-2 (not passing)"));
    }

    @Test
    void aSucceededRolloutRemembersTheInstancesItSaw() {
        RecordingJournal journal = new RecordingJournal(Set.of());
        RolloutResult result = roll("", fleet, journal, e -> { });
        assertThat(result.succeeded()).isTrue();
        assertThat(journal.remembered).containsExactly("web-1", "web-2", "web-3");
    }

    @Test
    void restoreIsRetriedWhileConsulIsUnreachableThenSucceeds() {
        AtomicInteger outageCalls = new AtomicInteger();
        fleet.stuckInLoadBalancer.add("web-1");
        RolloutResult result = roll(HAPROXY.replace("5s", "2s") + "strategy: { onFailure: abort }\n", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.PROPAGATE && e.outcome() == Event.Outcome.FAILED) {
                fleet.registryDown = true;
            }
            if ("web-1".equals(e.host()) && e.step() == Step.RESTORE && e.outcome() == Event.Outcome.FAILED
                    && outageCalls.incrementAndGet() == 3) {
                fleet.registryDown = false;
            }
        });

        assertThat(outageCalls.get()).isEqualTo(3);
        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.RESTORED);
        assertThat(events.steps("web-1")).endsWith("RESTORE FAILED", "RESTORE FAILED", "RESTORE FAILED", "RESTORE OK");
        assertEveryInstanceInRotationOrParked();
    }

    @Test
    void whenConsulNeverComesBackTheHostIsReportedLoudlyAfterRestoreTimeout() {
        fleet.stuckInLoadBalancer.add("web-1");
        RolloutResult result = roll("loadBalancer: { haproxy: { runtime: \"unix:/run/haproxy.sock\", backend: web } }\n"
                + "drain: { restoreTimeout: 30s, propagation: { verify: [loadBalancer], timeout: 2s } }\n"
                + "strategy: { onFailure: abort }\n", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.PROPAGATE && e.outcome() == Event.Outcome.FAILED) fleet.registryDown = true;
        });

        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.PARKED);
        Event park = events.events.stream().filter(e -> e.step() == Step.PARK).findFirst().orElseThrow();
        assertThat(park.detail()).startsWith("NOT back in Consul after trying for 30.0s (Consul is unreachable)")
                .contains("kept in the journal for baton recover");
    }

    @Test
    void theTransitionTableRejectsImpossibleMoves() {
        assertThat(HostState.PENDING.canMoveTo(HostState.LEAVING)).isFalse();
        assertThat(HostState.LEAVING.canMoveTo(HostState.DONE)).isFalse();
        assertThat(HostState.ROLLED_BACK.canMoveTo(HostState.PENDING)).isFalse();
        assertThat(HostState.CHECKING.canMoveTo(HostState.RESTORING)).isTrue();
        HostLifecycle lifecycle = new HostLifecycle(fleet.instances.get("web-1"), "2.0.0", HostState.PENDING, Journal.NONE);
        assertThatThrownBy(() -> lifecycle.moveTo(HostState.RESTARTING)).isInstanceOf(IllegalStateException.class)
                .hasMessage("web-1 cannot move from PENDING to RESTARTING");
        for (HostState state : HostState.values()) {
            if (state.outOfRotation()) assertThat(state.canMoveTo(HostState.RESTORING) || state == HostState.RESTORING).as(state.name()).isTrue();
        }
    }

    @Test
    void everyMoveIsJournaledBeforeTheStepThatActsOnIt() {
        RecordingJournal journal = new RecordingJournal(Set.of());
        roll("", fleet, journal, e -> { });
        assertThat(fleet.calls).containsSubsequence("journal web-1 LEAVING", "maintenance web-1", "journal web-1 RESTARTING",
                "restart web-1 2.0.0", "journal web-1 JOINING", "maintenance web-1", "journal web-1 DONE");
    }

    @Test
    void deregisterIsRefusedBeforeAnythingChangesWhenTheRegistrationCannotGoBackWhole() {
        fleet.lossy.add("web-2");
        RolloutResult result = roll("drain: { mode: deregister }\n", e -> { });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.FAILED);
        assertThat(result.summary()).startsWith("PREPARE failed on 1 host(s), nothing was changed: web-2: drain.mode deregister "
                + "would lose part of the registration: check \"web-health\" (http: headers, body, TLS options) (drain.mode "
                + "maintenance keeps the registration in Consul)");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("deregister") || c.startsWith("maintenance") || c.startsWith("restart"));
    }

    @Test
    void defaultDrainModeIsMaintenanceWhichKeepsTheRegistration() {
        RolloutResult result = roll("", e -> { });
        assertThat(result.succeeded()).isTrue();
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("deregister") || c.startsWith("register"));
    }

    private final class RecordingJournal implements Journal {
        final Set<String> known;
        List<String> remembered = List.of();

        RecordingJournal(Set<String> known) {
            this.known = known;
        }

        @Override
        public void leaving(Registration saved) {
            fleet.calls.add("journal " + saved.instance().id() + " LEAVING");
        }

        @Override
        public void moved(String instanceId, HostState state, String version) {
            fleet.calls.add("journal " + instanceId + " " + state);
        }

        @Override
        public void switched(SwitchedHost host) {
        }

        @Override
        public Set<String> knownInstances(String service) {
            return known;
        }

        @Override
        public void rememberInstances(String service, Set<String> ids) {
            remembered = List.copyOf(ids);
        }
    }
}
