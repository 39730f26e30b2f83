package dev.baton.agent.restart;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The live, thread-safe record of one restart; the runner writes it, the API reads snapshots. */
final class Operation {

    private final String id;
    private final RestartPlan plan;
    private final List<Phase> phases = new ArrayList<>();
    private State state = State.RUNNING;
    private String previousVersion;
    private Long oldPid;
    private Long newPid;
    private String error;

    Operation(String id, RestartPlan plan) {
        this.id = id;
        this.plan = plan;
    }

    String id() {
        return id;
    }

    synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    synchronized Phase beginPhase(String name) {
        Phase phase = new Phase(name);
        phases.add(phase);
        return phase;
    }

    synchronized void previousVersion(String version) {
        previousVersion = version;
    }

    synchronized void oldPid(long pid) {
        oldPid = pid;
    }

    synchronized void newPid(long pid) {
        newPid = pid;
    }

    synchronized void succeed() {
        state = State.SUCCEEDED;
    }

    synchronized void fail(String message) {
        state = State.FAILED;
        error = message;
    }

    synchronized OperationView snapshot() {
        List<OperationView.PhaseView> views = phases.stream().map(Phase::view).toList();
        return new OperationView(id, state, plan.version(), plan.strategy().wireName(), previousVersion, oldPid,
                newPid, error, views);
    }

    /** One step of the operation; guarded by the operation's lock. */
    final class Phase {
        private final String name;
        private final Instant startedAt = Instant.now();
        private final long startNanos = System.nanoTime();
        private State state = State.RUNNING;
        private Long durationMs;
        private String detail;

        private Phase(String name) {
            this.name = name;
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        void finish(State outcome, String text) {
            synchronized (Operation.this) {
                state = outcome;
                detail = text;
                durationMs = elapsed().toMillis();
            }
        }

        private OperationView.PhaseView view() {
            return new OperationView.PhaseView(name, state, startedAt.toString(), durationMs, detail);
        }
    }
}
