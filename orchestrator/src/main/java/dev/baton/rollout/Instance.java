package dev.baton.rollout;

import java.util.Map;

/** One registered instance of a service: the unit the rollout takes out and puts back. */
public record Instance(String id, String service, String node, String address, int port, Map<String, String> nodeMeta) {
    public Instance(String id, String service, String node, String address, int port) {
        this(id, service, node, address, port, Map.of());
    }

    public String label() {
        return id + " (" + address + ")";
    }
}
