package dev.baton.server;

import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Step;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;

import java.util.List;

/**
 * One host in a rollout's live view. Its state is what the engine says (each host event carries it, the journal
 * moves it between events), never re-inferred from step names. Not thread-safe: its view locks.
 */
final class HostTracker {
    private final String id;
    private final String address;
    private final StepLog steps;
    private HostState state;
    private Step step;
    private String version;
    private String target;

    HostTracker(String id, String address) {
        this(id, address, HostState.PENDING, null, null, null, List.of());
    }

    private HostTracker(String id, String address, HostState state, Step step, String version, String target,
                        List<RolloutRecord.StepRun> runs) {
        this.id = id;
        this.address = address;
        this.state = state;
        this.step = step;
        this.version = version;
        this.target = target;
        this.steps = new StepLog(runs);
    }

    static HostTracker of(RolloutRecord.Host host) {
        return new HostTracker(host.id(), host.address(), host.state() == null ? HostState.PENDING : host.state(), host.step(),
                host.version(), host.target(), host.steps() == null ? List.of() : host.steps());
    }

    void apply(LoggedEvent e) {
        step = e.step();
        steps.add(e);
        if (e.state() != null) state = e.state();
        if (e.version() != null) target = e.version();
        if (e.step() == Step.RESTART && e.outcome() == Event.Outcome.OK) version = e.version();
    }

    /** The engine moved the host (the journal): the last word on its state, and on its release once it settled. */
    void moved(HostState next, String movingTo) {
        state = next;
        if (movingTo != null) target = movingTo;
        if (next == HostState.DONE || next == HostState.ROLLED_BACK) version = movingTo;
    }

    /** The release the host's agent reports before the rollout touched it. */
    void reported(String agentVersion) {
        if (version == null && state == HostState.PENDING && step == null) version = agentVersion;
    }

    RolloutRecord.Host record() {
        return new RolloutRecord.Host(id, address, state, step, version, target, steps.runs());
    }
}
