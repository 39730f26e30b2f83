package dev.baton.server;

import dev.baton.rollout.Event;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One host's step runs, built from its events: a STARTED opens a run, the next end of that step closes it. */
final class StepLog {
    private final List<RolloutRecord.StepRun> runs;

    StepLog() {
        this(List.of());
    }

    StepLog(List<RolloutRecord.StepRun> runs) {
        this.runs = new ArrayList<>(runs);
    }

    void add(LoggedEvent e) {
        switch (e.outcome()) {
            case STARTED -> runs.add(new RolloutRecord.StepRun(e.step(), Event.Outcome.STARTED, e.at(), null, null));
            case SKIPPED -> runs.add(new RolloutRecord.StepRun(e.step(), Event.Outcome.SKIPPED, e.at(), e.tookMs(), e.detail()));
            default -> close(e);
        }
    }

    List<RolloutRecord.StepRun> runs() {
        return List.copyOf(runs);
    }

    private void close(LoggedEvent e) {
        for (int i = runs.size() - 1; i >= 0; i--) {
            RolloutRecord.StepRun run = runs.get(i);
            if (run.step() == e.step() && run.outcome() == Event.Outcome.STARTED) {
                runs.set(i, new RolloutRecord.StepRun(e.step(), e.outcome(), run.startedAt(), e.tookMs(), e.detail()));
                return;
            }
        }
        // a step that ends without having started (PARK): it began when it took its time
        runs.add(new RolloutRecord.StepRun(e.step(), e.outcome(),
                e.tookMs() == null ? e.at() : e.at().minus(Duration.ofMillis(e.tookMs())), e.tookMs(), e.detail()));
    }
}
