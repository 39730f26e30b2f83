package dev.baton.rollout;

/**
 * One host's {@link HostState}, moved only along the table's transitions and journaled before the side effect
 * each move announces. An impossible move is a bug: it throws, and the host is then recovered like any failure.
 */
final class HostLifecycle {
    private final Instance instance;
    private final String version;
    private final Journal journal;
    private volatile HostState state;

    HostLifecycle(Instance instance, String version, HostState start, Journal journal) {
        this.instance = instance;
        this.version = version;
        this.state = start;
        this.journal = journal;
    }

    HostState state() {
        return state;
    }

    Instance instance() {
        return instance;
    }

    String version() {
        return version;
    }

    void moveTo(HostState next) {
        check(next);
        journal.moved(instance.id(), next, version);
        set(next);
    }

    /** Into {@link HostState#LEAVING}: the registration is journaled first; if that fails the host stays in. */
    void leave(Registration saved) throws StepFailure {
        check(HostState.LEAVING);
        journal.leaving(saved);
        set(HostState.LEAVING);
    }

    private void check(HostState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException(instance.id() + " cannot move from " + state + " to " + next);
        }
    }

    private void set(HostState next) {
        state = next;
    }
}
