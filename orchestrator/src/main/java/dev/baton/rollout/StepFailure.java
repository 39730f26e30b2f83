package dev.baton.rollout;

/** A step could not do its job; the message is one line an operator can act on. */
public class StepFailure extends Exception {
    public StepFailure(String message) {
        super(message);
    }

    public StepFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
