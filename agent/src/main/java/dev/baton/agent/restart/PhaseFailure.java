package dev.baton.agent.restart;

/** Ends an operation; the message becomes the failed phase's detail and the operation's one-line error. */
final class PhaseFailure extends Exception {

    PhaseFailure(String message) {
        super(message, null, false, false);
    }
}
