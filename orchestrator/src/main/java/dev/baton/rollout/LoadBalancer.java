package dev.baton.rollout;

import java.time.Duration;

/** The load balancer in front of the service, as far as the engine needs to ask it. */
public interface LoadBalancer {
    /** Waits, bounded by {@code timeout}, until the load balancer no longer routes new requests to the instance. */
    boolean awaitOutOfRotation(Instance instance, Duration timeout) throws StepFailure, InterruptedException;
}
