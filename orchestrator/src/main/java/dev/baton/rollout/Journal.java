package dev.baton.rollout;

/**
 * Where the engine writes down what it must never forget, before it acts: the saved registration of
 * an instance about to leave rotation, and each host's end. A server keeps it in Consul KV so that,
 * after a crash, {@link RolloutEngine#resume} can put back or park the host that was in flight.
 */
public interface Journal {
    /**
     * The host is about to leave rotation; this is its exact registration. Called before the first change;
     * a failure keeps the host in rotation and fails its step.
     */
    void leaving(Registration saved) throws StepFailure;

    /** The host ended in {@code state}, running {@code version}. */
    void settled(String instanceId, RolloutResult.HostState state, String version);

    /** The host was switched to the new release; a rollback, even after a crash, returns it to the previous one. */
    void switched(SwitchedHost host);

    Journal NONE = new Journal() {
        @Override
        public void leaving(Registration saved) {
        }

        @Override
        public void settled(String instanceId, RolloutResult.HostState state, String version) {
        }

        @Override
        public void switched(SwitchedHost host) {
        }
    };
}
