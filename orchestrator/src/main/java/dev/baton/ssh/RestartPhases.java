package dev.baton.ssh;

import dev.baton.rollout.RestartFailed;
import dev.baton.rollout.RestartReport;
import dev.baton.rollout.StepFailure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The phases of one restart as they run, reported the way the agent reports them (name, state, duration, detail). */
final class RestartPhases {
    /** What a phase did: SUCCEEDED or SKIPPED, and a detail for the report. */
    record Outcome(String state, String detail) {
        static Outcome done(String detail) {
            return new Outcome("SUCCEEDED", detail);
        }

        static Outcome skipped(String detail) {
            return new Outcome("SKIPPED", detail);
        }
    }

    @FunctionalInterface
    interface Phase {
        Outcome run() throws StepFailure, InterruptedException;
    }

    private final String host;
    private final List<RestartReport.Phase> phases = new ArrayList<>();
    private Long oldPid;
    private Long newPid;
    private String previousVersion;
    private boolean switched;

    RestartPhases(String host) {
        this.host = host;
    }

    /** Runs one phase; a failure is recorded and becomes a {@link RestartFailed} saying whether the host switched. */
    Outcome run(String name, Phase phase) throws RestartFailed, InterruptedException {
        long start = System.nanoTime();
        try {
            Outcome outcome = phase.run();
            phases.add(new RestartReport.Phase(name, outcome.state(), Duration.ofNanos(System.nanoTime() - start), outcome.detail()));
            if (name.equals("switch") && outcome.state().equals("SUCCEEDED")) switched = true;
            return outcome;
        } catch (StepFailure e) {
            phases.add(new RestartReport.Phase(name, "FAILED", Duration.ofNanos(System.nanoTime() - start), e.getMessage()));
            throw new RestartFailed("ssh " + host + ": " + name + " failed: " + e.getMessage() + " [" + report().summary() + "]",
                    switched ? previousVersion : null);
        }
    }

    void oldPid(Long pid) {
        oldPid = pid;
    }

    void newPid(Long pid) {
        newPid = pid;
    }

    Long newPid() {
        return newPid;
    }

    void previousVersion(String version) {
        previousVersion = version;
    }

    RestartReport report() {
        return new RestartReport(oldPid, newPid, previousVersion, List.copyOf(phases));
    }
}
