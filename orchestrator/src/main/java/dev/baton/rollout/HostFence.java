package dev.baton.rollout;

/**
 * What a host step asks before it acts, on a server that may lose the service lock: {@code acting} refuses once the
 * server's lease ran out (no host restarts then), {@code handingBack} once even putting a host back or parking it
 * could land after another server may own the rollout (the host is then left, journaled, to the next owner).
 */
record HostFence(LeaveGate acting, LeaveGate handingBack) {
    static final HostFence OPEN = new HostFence(LeaveGate.OPEN, LeaveGate.OPEN);
}
