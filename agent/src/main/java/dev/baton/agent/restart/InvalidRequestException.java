package dev.baton.agent.restart;

/** A request (restart, prefetch, hook) that must be refused before anything happens; the message is one line. */
public final class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
