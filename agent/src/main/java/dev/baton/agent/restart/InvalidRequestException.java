package dev.baton.agent.restart;

/** A restart request that must be refused before anything happens; the message is one line for the caller. */
public final class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
