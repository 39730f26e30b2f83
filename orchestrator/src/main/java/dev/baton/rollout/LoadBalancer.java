package dev.baton.rollout;

import java.time.Duration;

/** The load balancer in front of the service, as far as the engine needs to ask it. */
public interface LoadBalancer {
    /** Waits, bounded by {@code timeout}, until the load balancer no longer routes new requests to the instance. */
    boolean awaitOutOfRotation(Instance instance, Duration timeout) throws StepFailure, InterruptedException;

    /**
     * Whether this load balancer reports its sessions per server, so that {@link #awaitNoSessions} can prove from its
     * own state that no request can reach an instance any more. False: only an app-side quiet period can tell.
     */
    default boolean reportsSessions() {
        return false;
    }

    /**
     * Waits, bounded by {@code timeout}, until the load balancer routes no new request to the instance and holds no
     * session or queued request for it. Only for a load balancer that {@link #reportsSessions()}.
     */
    default boolean awaitNoSessions(Instance instance, Duration timeout) throws StepFailure, InterruptedException {
        throw new UnsupportedOperationException("this load balancer does not report its sessions");
    }
}
