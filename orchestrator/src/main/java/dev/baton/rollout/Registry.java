package dev.baton.rollout;

import java.time.Duration;
import java.util.List;

/** The service registry (Consul) as the engine sees it. */
public interface Registry {
    /** Every registered instance of the service, optionally only those with the tag, in a stable order. */
    List<Instance> instances(String service, String tag) throws StepFailure;

    /** The ids of the service's instances Consul reports passing right now. */
    java.util.Set<String> passing(String service) throws StepFailure;

    /** Reads the full registration from the agent that owns the instance. */
    Registration save(Instance instance) throws StepFailure;

    /**
     * What registering {@code saved} again would lose (check definitions the registry does not give back); null when
     * nothing. {@code drain.mode: deregister} is refused for such a registration.
     */
    default String lostOnReregister(Registration saved) {
        return null;
    }

    /** Removes the instance through the agent that owns it. */
    void deregister(Instance instance) throws StepFailure;

    /** Registers exactly the saved definition again through the owning agent. */
    void register(Registration registration) throws StepFailure;

    /** Puts a registered instance in (or out of) maintenance, with a reason operators will see. */
    void maintenance(Instance instance, boolean enable, String reason) throws StepFailure;

    /**
     * Waits, bounded by {@code timeout}, until the registry does ({@code passing}) or does not report the
     * instance among the passing ones. Returns whether that state was reached.
     */
    boolean awaitPassing(Instance instance, boolean passing, Duration timeout) throws StepFailure, InterruptedException;
}
