package dev.baton.rollout;

/**
 * Everything the engine touches. {@code loadBalancer} is null when the plan does not verify propagation
 * at the load balancer; {@code traffic} (the TRAFFIC events) is null when no load balancer's traffic can be read;
 * {@code analysisTraffic} is what the analysis gate reads (the load balancer, or Prometheus), null without a gate.
 */
public record Ports(Registry registry, HostControl hosts, HealthProbe probe, LoadBalancer loadBalancer,
                    HookRunner localHooks, Clock clock, EventSink events, TrafficSource traffic, TrafficSource analysisTraffic) {
    /** The analysis gate reads the load balancer's traffic. */
    public Ports(Registry registry, HostControl hosts, HealthProbe probe, LoadBalancer loadBalancer,
                 HookRunner localHooks, Clock clock, EventSink events, TrafficSource traffic) {
        this(registry, hosts, probe, loadBalancer, localHooks, clock, events, traffic, traffic);
    }

    /** Without a traffic source: no TRAFFIC events, and a plan with an analysis gate fails at its gate. */
    public Ports(Registry registry, HostControl hosts, HealthProbe probe, LoadBalancer loadBalancer,
                 HookRunner localHooks, Clock clock, EventSink events) {
        this(registry, hosts, probe, loadBalancer, localHooks, clock, events, null, null);
    }

    /** The same ports, with the events going to {@code sink}. */
    Ports withEvents(EventSink sink) {
        return new Ports(registry, hosts, probe, loadBalancer, localHooks, clock, sink, traffic, analysisTraffic);
    }
}
