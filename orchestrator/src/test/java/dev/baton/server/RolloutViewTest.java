package dev.baton.server;

import dev.baton.store.HostPhase;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

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

    private LoggedEvent event(String host, String step, String outcome, Long tookMs) {
        seq++;
        return new LoggedEvent(seq, T0.plusSeconds(seq), host, step, outcome, tookMs, "detail " + seq);
    }

    private static RolloutRecord.Host host(RolloutView view, String id) {
        return view.record().hosts().stream().filter(h -> h.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void eachRunningStepIsAnIngStateAndJoinOkIsDone() {
        RolloutView view = view();
        assertThat(host(view, "web-1").state()).isEqualTo(HostPhase.PENDING);
        view.apply(event("web-1", "PREPARE", "STARTED", null));
        assertThat(host(view, "web-1").state()).isEqualTo(HostPhase.PENDING);
        assertThat(host(view, "web-1").step()).isEqualTo("PREPARE");
        String[][] steps = {{"LEAVE", "LEAVING"}, {"PROPAGATE", "PROPAGATING"}, {"RESTART", "RESTARTING"},
                {"CHECK", "CHECKING"}, {"JOIN", "JOINING"}};
        for (String[] step : steps) {
            view.apply(event("web-1", step[0], "STARTED", null));
            assertThat(host(view, "web-1").state().name()).isEqualTo(step[1]);
            assertThat(host(view, "web-1").version()).isEqualTo(step[0].matches("CHECK|JOIN") ? "2.0.0" : null);
            view.apply(event("web-1", step[0], "OK", 10L));
        }
        RolloutRecord.Host done = host(view, "web-1");
        assertThat(done.state()).isEqualTo(HostPhase.DONE);
        assertThat(done.version()).isEqualTo("2.0.0");
        assertThat(done.steps()).extracting(RolloutRecord.StepRun::step)
                .containsExactly("PREPARE", "LEAVE", "PROPAGATE", "RESTART", "CHECK", "JOIN");
        assertThat(done.steps().get(1).outcome()).isEqualTo("OK");
        assertThat(done.steps().get(1).tookMs()).isEqualTo(10L);
        assertThat(done.steps().get(1).startedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(host(view, "web-2").state()).isEqualTo(HostPhase.PENDING);
    }

    @Test
    void theAgentsVersionShowsOnlyBeforeTheRolloutTouchesTheHost() {
        RolloutView view = view();
        view.reported("web-1", "1.0.0");
        assertThat(host(view, "web-1").version()).isEqualTo("1.0.0");
        view.apply(event("web-2", "LEAVE", "STARTED", null));
        view.reported("web-2", "1.0.0");
        assertThat(host(view, "web-2").version()).isNull();
    }

    @Test
    void aFailedHostIsRestoredOrParkedAndAParkWithoutStartBeganWhenItTookItsTime() {
        RolloutView view = view();
        view.apply(event("web-1", "CHECK", "STARTED", null));
        view.apply(event("web-1", "CHECK", "FAILED", 100L));
        assertThat(host(view, "web-1").state()).isEqualTo(HostPhase.CHECKING);
        view.apply(event("web-1", "RESTORE", "STARTED", null));
        view.apply(event("web-1", "RESTORE", "OK", 5L));
        assertThat(host(view, "web-1").state()).isEqualTo(HostPhase.RESTORED);

        LoggedEvent park = event("web-2", "PARK", "FAILED", 2000L);
        view.apply(park);
        RolloutRecord.Host parked = host(view, "web-2");
        assertThat(parked.state()).isEqualTo(HostPhase.PARKED);
        assertThat(parked.steps()).singleElement().satisfies(run -> {
            assertThat(run.outcome()).isEqualTo("FAILED");
            assertThat(run.startedAt()).isEqualTo(park.at().minusMillis(2000));
        });
    }

    @Test
    void pauseCanaryAndRollbackEventsMoveTheStatusAndTheResultEndsIt() {
        RolloutView view = view();
        assertThat(view.apply(event(null, "ROLLOUT", "STARTED", null))).isFalse();
        assertThat(view.apply(event(null, "PAUSE", "STARTED", null))).isTrue();
        assertThat(view.status()).isEqualTo(RolloutStatus.PAUSED);
        assertThat(view.apply(event(null, "PAUSE", "OK", 1000L))).isTrue();
        assertThat(view.status()).isEqualTo(RolloutStatus.RUNNING);
        view.apply(event(null, "CANARY", "STARTED", null));
        assertThat(view.status()).isEqualTo(RolloutStatus.AWAITING_PROMOTION);
        view.apply(event(null, "CANARY", "OK", 10L));
        assertThat(view.status()).isEqualTo(RolloutStatus.RUNNING);
        view.apply(event(null, "BATCH", "STARTED", null));
        assertThat(view.status()).isEqualTo(RolloutStatus.RUNNING);

        view.apply(event("web-1", "RESTART", "OK", 10L));
        assertThat(host(view, "web-1").version()).isEqualTo("2.0.0");
        view.apply(event(null, "ROLLBACK", "STARTED", null));
        assertThat(view.status()).isEqualTo(RolloutStatus.ROLLING_BACK);
        view.apply(event("web-1", "RESTART", "OK", 10L));
        assertThat(host(view, "web-1").version()).as("unknown until the journal says").isNull();
        view.settle("web-1", HostPhase.ROLLED_BACK, "1.0.0");
        assertThat(host(view, "web-1").state()).isEqualTo(HostPhase.ROLLED_BACK);
        assertThat(host(view, "web-1").version()).isEqualTo("1.0.0");
        view.apply(event(null, "ROLLBACK", "OK", 10L));
        assertThat(view.status()).isEqualTo(RolloutStatus.ROLLING_BACK);

        assertThat(view.finish(RolloutStatus.ROLLED_BACK, "rolled back 1 host(s)", T0.plusSeconds(99))).isTrue();
        assertThat(view.apply(event(null, "PAUSE", "STARTED", null))).isFalse();
        RolloutRecord record = view.record();
        assertThat(record.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(record.endedAt()).isEqualTo(T0.plusSeconds(99));
        assertThat(record.summary()).isEqualTo("rolled back 1 host(s)");
    }

    @Test
    void theStoredFormDropsStepRunsAndTheShownFormRebuildsThemFromTheEvents() {
        RolloutView view = view();
        List<LoggedEvent> events = List.of(event("web-1", "LEAVE", "STARTED", null), event("web-1", "LEAVE", "OK", 3L),
                event("web-3", "LEAVE", "STARTED", null));
        events.forEach(view::apply);
        RolloutRecord stored = RecordForm.stored(view.record());
        assertThat(stored.hosts()).allSatisfy(h -> assertThat(h.steps()).isEmpty());
        RolloutRecord shown = RecordForm.shown(stored, events);
        assertThat(shown).isEqualTo(view.record());
    }
}
