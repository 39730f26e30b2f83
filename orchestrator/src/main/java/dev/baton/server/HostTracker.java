package dev.baton.server;

import dev.baton.store.HostPhase;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;

import java.util.List;

/** One host's state in a rollout's live view, moved by the host's events. Not thread-safe: its view locks. */
final class HostTracker {
    private final String id;
    private final String address;
    private final StepLog steps;
    private HostPhase state;
    private String step;
    private String version;

    HostTracker(String id, String address) {
        this(id, address, HostPhase.PENDING, null, null, List.of());
    }

    private HostTracker(String id, String address, HostPhase state, String step, String version, List<RolloutRecord.StepRun> runs) {
        this.id = id;
        this.address = address;
        this.state = state;
        this.step = step;
        this.version = version;
        this.steps = new StepLog(runs);
    }

    static HostTracker of(RolloutRecord.Host host) {
        return new HostTracker(host.id(), host.address(), host.state(), host.step(), host.version(),
                host.steps() == null ? List.of() : host.steps());
    }

    /**
     * Applies one of the host's events. {@code newVersion} is what a successful RESTART put on the host (the
     * plan's version, or null while rolling back: the journal then says which release it went back to).
     */
    void apply(LoggedEvent e, String newVersion) {
        step = e.step();
        steps.add(e);
        boolean ok = e.outcome().equals("OK");
        if (e.outcome().equals("STARTED")) {
            HostPhase running = running(e.step());
            if (running != null) state = running;
            return;
        }
        switch (e.step()) {
            case "RESTART" -> {
                if (ok) version = newVersion;
            }
            case "JOIN" -> {
                if (ok) state = HostPhase.DONE;
            }
            case "RESTORE" -> {
                if (ok) state = HostPhase.RESTORED;
            }
            case "PARK" -> state = HostPhase.PARKED;
            default -> {
            }
        }
    }

    /** How the engine says the host ended (the journal): the last word on its state and version. */
    void settle(HostPhase phase, String settledVersion) {
        state = phase;
        if (settledVersion != null) version = settledVersion;
    }

    /** The release the host's agent reports before the rollout touched it. */
    void reported(String agentVersion) {
        if (version == null && state == HostPhase.PENDING && step == null) version = agentVersion;
    }

    RolloutRecord.Host record() {
        return new RolloutRecord.Host(id, address, state, step, version, steps.runs());
    }

    private static HostPhase running(String step) {
        return switch (step) {
            case "LEAVE" -> HostPhase.LEAVING;
            case "PROPAGATE" -> HostPhase.PROPAGATING;
            case "RESTART" -> HostPhase.RESTARTING;
            case "CHECK" -> HostPhase.CHECKING;
            case "JOIN" -> HostPhase.JOINING;
            default -> null;
        };
    }
}
