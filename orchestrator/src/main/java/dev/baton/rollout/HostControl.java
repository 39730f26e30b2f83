package dev.baton.rollout;

import java.time.Duration;

/** The app on one host, through the host's agent. */
public interface HostControl {
    /** Restarts with drain and blocks until the host reports the outcome, at most {@code timeout}. */
    RestartReport restart(Instance host, RestartOrder order, Duration timeout) throws StepFailure, InterruptedException;

    /**
     * Waits, bounded by {@code timeout}, until the app has seen no new connection or request for
     * {@code quietPeriod}: proof that traffic stopped, whatever the load balancer.
     */
    boolean awaitQuiet(Instance host, Duration quietPeriod, Duration timeout) throws StepFailure, InterruptedException;
}
