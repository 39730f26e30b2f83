package dev.baton.rollout;

/**
 * Everything the engine touches. {@code loadBalancer} is null when the plan does not verify propagation
 * at the load balancer.
 */
public record Ports(Registry registry, HostControl hosts, HealthProbe probe, LoadBalancer loadBalancer,
                    HookRunner localHooks, Clock clock, EventSink events) {
}
