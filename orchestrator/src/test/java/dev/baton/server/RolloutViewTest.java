package dev.baton.server;

import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Step;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.baton.rollout.Event.Outcome.FAILED;
import static dev.baton.rollout.Event.Outcome.OK;
import static dev.baton.rollout.Event.Outcome.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/** How events move a rollout's status and its hosts' states (docs/server-api.md, "How events move the view"). */
class RolloutViewTest {
    private static final Instant T0 = Instant.parse("2026-11-22T01:00:00Z");
    private long seq;

    private RolloutView view() {
        RolloutView view = new RolloutView(new RolloutRecord("r-20261122-0001", "web", "2.0.0", RolloutStatus.RUNNING, T0,
                null, null, List.of()));
        view.targets(List.of(new RolloutView.Target("web-1", "127.0.0.1"), new RolloutView.Target("web-2", "127.0.0.2")));
        return view;
    }

    private LoggedEvent event(String host, Step step, Event.Outcome outcome, Long tookMs, HostState state, String version) {
        seq++;
        return new LoggedEvent(seq, T0.plusSeconds(seq), host, step, outcome, tookMs, "detail " + seq, version, state, null);
    }

    private LoggedEvent rollout(Step step, Event.Outcome outcome) {
        return event(null, step, outcome, outcome == STARTED ? null : 10L, null, null);
    }

    private static RolloutRecord.Host host(RolloutView view, String id) {
        return view.record().hosts().stream().filter(h -> h.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void theHostStateIsTheOneTheEngineSentAndTheVersionChangesWhenTheRestartSucceeds() {
        RolloutView view = view();
        assertThat(host(view, "web-1").state()).isEqualTo(HostState.PENDING);
        view.apply(event("web-1", Step.PREPARE, STARTED, null, HostState.PENDING, "2.0.0"));
        assertThat(host(view, "web-1").step()).isEqualTo(Step.PREPARE);
        assertThat(host(view, "web-1").target()).isEqualTo("2.0.0");
        view.apply(event("web-1", Step.PREPARE, OK, 5L, HostState.PENDING, "2.0.0"));
        view.moved("web-1", HostState.PREPARED, "2.0.0");
        assertThat(host(view, "web-1").state()).isEqualTo(HostState.PREPARED);
        for (Step step : List.of(Step.LEAVE, Step.PROPAGATE, Step.RESTART, Step.CHECK, Step.JOIN)) {
            view.apply(event("web-1", step, STARTED, null, step.during(), "2.0.0"));
            assertThat(host(view, "web-1").state()).isEqualTo(step.during());
            assertThat(host(view, "web-1").version()).isEqualTo(step.compareTo(Step.RESTART) > 0 ? "2.0.0" : null);
            view.apply(event("web-1", step, OK, 10L, step.during(), "2.0.0"));
        }
        view.moved("web-1", HostState.DONE, "2.0.0");
        RolloutRecord.Host done = host(view, "web-1");
        assertThat(done.state()).isEqualTo(HostState.DONE);
        assertThat(done.version()).isEqualTo("2.0.0");
        assertThat(done.steps()).extracting(RolloutRecord.StepRun::step)
                .containsExactly(Step.PREPARE, Step.LEAVE, Step.PROPAGATE, Step.RESTART, Step.CHECK, Step.JOIN);
        assertThat(done.steps().get(1).outcome()).isEqualTo(OK);
        assertThat(done.steps().get(1).tookMs()).isEqualTo(10L);
        assertThat(done.steps().get(1).startedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(host(view, "web-2").state()).isEqualTo(HostState.PENDING);
    }

    @Test
    void theAgentsVersionShowsOnlyBeforeTheRolloutTouchesTheHost() {
        RolloutView view = view();
        view.reported("web-1", "1.0.0");
        assertThat(host(view, "web-1").version()).isEqualTo("1.0.0");
        view.apply(event("web-2", Step.LEAVE, STARTED, null, HostState.PREPARED, "2.0.0"));
        view.reported("web-2", "1.0.0");
        assertThat(host(view, "web-2").version()).isNull();
    }

    @Test
    void aFailedHostIsRestoredOrParkedAndAParkWithoutStartBeganWhenItTookItsTime() {
        RolloutView view = view();
        view.apply(event("web-1", Step.CHECK, STARTED, null, HostState.CHECKING, "2.0.0"));
        view.apply(event("web-1", Step.CHECK, FAILED, 100L, HostState.CHECKING, "2.0.0"));
        assertThat(host(view, "web-1").state()).isEqualTo(HostState.CHECKING);
        view.moved("web-1", HostState.RESTORING, "2.0.0");
        view.apply(event("web-1", Step.RESTORE, STARTED, null, HostState.RESTORING, "2.0.0"));
        view.apply(event("web-1", Step.RESTORE, OK, 5L, HostState.RESTORING, "2.0.0"));
        view.moved("web-1", HostState.RESTORED, "2.0.0");
        assertThat(host(view, "web-1").state()).isEqualTo(HostState.RESTORED);

        LoggedEvent park = event("web-2", Step.PARK, FAILED, 2000L, HostState.PARKED, "2.0.0");
        view.apply(park);
        RolloutRecord.Host parked = host(view, "web-2");
        assertThat(parked.state()).isEqualTo(HostState.PARKED);
        assertThat(parked.steps()).singleElement().satisfies(run -> {
            assertThat(run.outcome()).isEqualTo(FAILED);
            assertThat(run.startedAt()).isEqualTo(park.at().minusMillis(2000));
        });
    }

    @Test
    void pauseCanaryAndRollbackEventsMoveTheStatusAndTheResultEndsIt() {
        RolloutView view = view();
        assertThat(view.apply(rollout(Step.ROLLOUT, STARTED))).isFalse();
        assertThat(view.apply(rollout(Step.PAUSE, STARTED))).isTrue();
        assertThat(view.status()).isEqualTo(RolloutStatus.PAUSED);
        assertThat(view.apply(rollout(Step.PAUSE, OK))).isTrue();
        assertThat(view.status()).isEqualTo(RolloutStatus.RUNNING);
        view.apply(rollout(Step.CANARY, STARTED));
        assertThat(view.status()).isEqualTo(RolloutStatus.AWAITING_PROMOTION);
        view.apply(rollout(Step.CANARY, OK));
        assertThat(view.status()).isEqualTo(RolloutStatus.RUNNING);
        view.apply(rollout(Step.BATCH, STARTED));
        assertThat(view.status()).isEqualTo(RolloutStatus.RUNNING);

        view.apply(event("web-1", Step.RESTART, OK, 10L, HostState.RESTARTING, "2.0.0"));
        assertThat(host(view, "web-1").version()).isEqualTo("2.0.0");
        view.apply(rollout(Step.ROLLBACK, STARTED));
        assertThat(view.status()).isEqualTo(RolloutStatus.ROLLING_BACK);
        view.apply(event("web-1", Step.RESTART, OK, 10L, HostState.RESTARTING, "1.0.0"));
        assertThat(host(view, "web-1").version()).isEqualTo("1.0.0");
        assertThat(host(view, "web-1").target()).isEqualTo("1.0.0");
        view.moved("web-1", HostState.ROLLED_BACK, "1.0.0");
        assertThat(host(view, "web-1").state()).isEqualTo(HostState.ROLLED_BACK);
        view.apply(rollout(Step.ROLLBACK, OK));
        assertThat(view.status()).isEqualTo(RolloutStatus.ROLLING_BACK);

        assertThat(view.finish(RolloutStatus.ROLLED_BACK, "rolled back 1 host(s)", T0.plusSeconds(99))).isTrue();
        assertThat(view.apply(rollout(Step.PAUSE, STARTED))).isFalse();
        RolloutRecord record = view.record();
        assertThat(record.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(record.endedAt()).isEqualTo(T0.plusSeconds(99));
        assertThat(record.summary()).isEqualTo("rolled back 1 host(s)");
    }

    @Test
    void theStoredFormDropsStepRunsAndTheShownFormRebuildsThemFromTheEvents() {
        RolloutView view = view();
        List<LoggedEvent> events = List.of(event("web-1", Step.LEAVE, STARTED, null, HostState.PREPARED, "2.0.0"),
                event("web-1", Step.LEAVE, OK, 3L, HostState.LEAVING, "2.0.0"),
                event("web-3", Step.LEAVE, STARTED, null, HostState.PREPARED, "2.0.0"));
        events.forEach(view::apply);
        RolloutRecord stored = RecordForm.stored(view.record());
        assertThat(stored.hosts()).allSatisfy(h -> assertThat(h.steps()).isEmpty());
        RolloutRecord shown = RecordForm.shown(stored, events);
        assertThat(shown).isEqualTo(view.record());
    }

    /** The record is stored only when the status changes or a host settles: shown, it is brought up to date by the events. */
    @Test
    void aStoredRecordIsShownAsTheEventsAfterItMovedItsHosts() {
        RolloutView view = view();
        view.apply(event("web-2", Step.PREPARE, STARTED, null, HostState.PENDING, "2.0.0"));
        view.apply(event("web-2", Step.PREPARE, OK, 5L, HostState.PENDING, "2.0.0"));
        view.moved("web-2", HostState.SKIPPED, "2.0.0");
        RolloutRecord stored = RecordForm.stored(view.record());
        List<LoggedEvent> events = List.of(
                event("web-2", Step.PREPARE, STARTED, null, HostState.PENDING, "2.0.0"),
                event("web-2", Step.PREPARE, OK, 5L, HostState.PENDING, "2.0.0"),
                event("web-1", Step.PREPARE, STARTED, null, HostState.PENDING, "2.0.0"),
                event("web-1", Step.PREPARE, OK, 5L, HostState.PENDING, "2.0.0"),
                event("web-1", Step.LEAVE, STARTED, null, HostState.LEAVING, "2.0.0"),
                event("web-1", Step.LEAVE, OK, 12L, HostState.LEAVING, "2.0.0"),
                event("web-1", Step.RESTART, OK, 300L, HostState.RESTARTING, "2.0.0"));

        RolloutRecord shown = RecordForm.shown(stored, events);

        RolloutRecord.Host web1 = shown.hosts().stream().filter(h -> h.id().equals("web-1")).findFirst().orElseThrow();
        RolloutRecord.Host web2 = shown.hosts().stream().filter(h -> h.id().equals("web-2")).findFirst().orElseThrow();
        assertThat(web1.state()).isEqualTo(HostState.RESTARTING);
        assertThat(web1.step()).isEqualTo(Step.RESTART);
        assertThat(web1.version()).isEqualTo("2.0.0");
        assertThat(web1.address()).isEqualTo("127.0.0.1");
        assertThat(web1.steps()).extracting(RolloutRecord.StepRun::step).containsExactly(Step.PREPARE, Step.LEAVE, Step.RESTART);
        assertThat(web2.state()).as("settled when stored: its older events do not move it back").isEqualTo(HostState.SKIPPED);
        assertThat(web2.steps()).extracting(RolloutRecord.StepRun::step).containsExactly(Step.PREPARE);
    }
}
