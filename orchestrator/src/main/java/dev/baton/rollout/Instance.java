package dev.baton.rollout;

/** One registered instance of a service: the unit the rollout takes out and puts back. */
public record Instance(String id, String service, String node, String address, int port) {
    public String label() {
        return id + " (" + address + ")";
    }
}
