package dev.baton.rollout;

import java.time.Duration;

/** Restarts the app on one host (through the host's agent). */
public interface HostControl {
    /** Restarts with drain and blocks until the host reports the outcome, at most {@code timeout}. */
    RestartReport restart(Instance host, RestartOrder order, Duration timeout) throws StepFailure, InterruptedException;
}
