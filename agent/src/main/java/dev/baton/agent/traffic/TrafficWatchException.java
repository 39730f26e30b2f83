package dev.baton.agent.traffic;

/** The connections of the app port cannot be watched here; the message is one line for the caller. */
public final class TrafficWatchException extends Exception {

    public TrafficWatchException(String message) {
        super(message, null, false, false);
    }
}
