package dev.baton.agent.restart;

/** Another operation is still running. */
public final class OperationConflictException extends RuntimeException {

    public OperationConflictException(String runningId) {
        super("operation " + runningId + " is still running");
    }
}
