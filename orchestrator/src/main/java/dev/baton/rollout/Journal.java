package dev.baton.rollout;

/**
 * Where the engine writes down what it must never forget, before it acts: each host's state as it moves,
 * with the saved registration of an instance about to leave rotation. A server keeps it in Consul KV so that,
 * after a crash, {@link RolloutEngine#resume} puts back or parks every host that was out.
 */
public interface Journal {
    /**
     * The host is about to leave rotation ({@link HostState#LEAVING}); this is its exact registration. Called
     * before the first change; a failure keeps the host in rotation and fails its step.
     */
    void leaving(Registration saved) throws StepFailure;

    /** The host moves to {@code state}, on its way to (or running) {@code version}. Best effort: never throws. */
    void moved(String instanceId, HostState state, String version);

    /** The host was switched to the new release; a rollback, even after a crash, returns it to the previous one. */
    void switched(SwitchedHost host);

    /** The instances of the service a rollout last saw whole; empty when none is known. */
    default java.util.Set<String> knownInstances(String service) {
        return java.util.Set.of();
    }

    /** After a rollout succeeded: these are the service's instances. */
    default void rememberInstances(String service, java.util.Set<String> ids) {
    }

    Journal NONE = new Journal() {
        @Override
        public void leaving(Registration saved) {
        }

        @Override
        public void moved(String instanceId, HostState state, String version) {
        }

        @Override
        public void switched(SwitchedHost host) {
        }
    };
}
