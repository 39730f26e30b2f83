package dev.baton.rollout;

/**
 * Asked right before a host leaves rotation (or, staying in, restarts): null lets it go, otherwise the reason
 * it must not (the operator paused or aborted, the progress deadline passed, this server lost the service lock).
 * A refused host is left untouched, in rotation.
 */
@FunctionalInterface
interface LeaveGate {
    String refusal() throws InterruptedException;

    LeaveGate OPEN = () -> null;
}
