package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.time.Duration;
import java.util.Map;

/** The app on one host, through the host's agent. */
public interface HostControl {
    /** Fetches and verifies the release on the host while the app keeps serving. */
    void prepare(Instance host, RestartOrder order) throws StepFailure, InterruptedException;

    /** Restarts with drain and blocks until the host reports the outcome, at most {@code timeout}. */
    RestartReport restart(Instance host, RestartOrder order, Duration timeout) throws StepFailure, InterruptedException;

    /**
     * Waits, bounded by {@code timeout}, until the app has seen no new connection or request for
     * {@code quietPeriod}: proof that traffic stopped, whatever the load balancer.
     */
    boolean awaitQuiet(Instance host, Duration quietPeriod, Duration timeout) throws StepFailure, InterruptedException;

    /** Runs a host hook (beforeHost, afterHost) on the host. */
    HookResult runHook(Instance host, String name, Plan.Hook hook, Map<String, String> env) throws StepFailure, InterruptedException;
}
