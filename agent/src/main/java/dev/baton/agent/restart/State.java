package dev.baton.agent.restart;

/** State of an operation (RUNNING, SUCCEEDED, FAILED) or of one of its phases (also SKIPPED). */
public enum State {
    RUNNING, SUCCEEDED, FAILED, SKIPPED
}
