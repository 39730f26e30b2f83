package dev.baton.schedule;

import dev.baton.rollout.DeployWindows;

import java.util.Map;

/** The server's deploy windows: global ones for every service, and each service's own on top. */
public record ServiceWindows(DeployWindows global, Map<String, DeployWindows> services) {
    public static final ServiceWindows NONE = new ServiceWindows(DeployWindows.ALWAYS_OPEN, Map.of());

    public ServiceWindows {
        services = Map.copyOf(services);
    }

    public DeployWindows forService(String service) {
        return global.and(services.getOrDefault(service, DeployWindows.ALWAYS_OPEN));
    }
}
