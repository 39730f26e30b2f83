package dev.baton.agent.restart;

/** How a phase ended when it did not fail. */
record PhaseResult(State state, String detail) {

    static PhaseResult done(String detail) {
        return new PhaseResult(State.SUCCEEDED, detail);
    }

    static PhaseResult skipped(String detail) {
        return new PhaseResult(State.SKIPPED, detail);
    }
}
