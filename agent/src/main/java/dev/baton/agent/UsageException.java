package dev.baton.agent;

/** A mistake in the agent's command line or setup, reported as one line (exit code 2). */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message, null, false, false);
    }
}
