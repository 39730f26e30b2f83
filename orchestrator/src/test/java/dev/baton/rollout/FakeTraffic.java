package dev.baton.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A load balancer's counters made up per sample: each sample adds {@code perSample} requests to every instance in
 * rotation, failing the share and taking the latency that the version it runs calls for.
 */
final class FakeTraffic implements TrafficSource {
    /** How a version behaves. */
    record Behaviour(double errorRate, double latencyMs) {
    }

    private final FakeFleet fleet;
    private final int perSample;
    private final Function<String, Behaviour> byVersion;
    private final Map<String, long[]> counters = new LinkedHashMap<>();
    private final Map<String, Double> latency = new LinkedHashMap<>();
    private long totalRequests;
    private long totalFailed;
    boolean unreadable;
    int samples;

    FakeTraffic(FakeFleet fleet, int perSample, Function<String, Behaviour> byVersion) {
        this.fleet = fleet;
        this.perSample = perSample;
        this.byVersion = byVersion;
    }

    @Override
    public synchronized TrafficSample sample() throws StepFailure {
        if (unreadable) throw new StepFailure("HAProxy runtime API at unix:/fake is unreachable");
        samples++;
        List<TrafficSample.Server> servers = new ArrayList<>();
        synchronized (fleet) {
            for (Instance instance : fleet.instances.values()) {
                long[] c = counters.computeIfAbsent(instance.id(), id -> new long[2]);
                boolean up = fleet.isPassing(instance.id());
                Behaviour behaviour = byVersion.apply(fleet.versions.get(instance.id()));
                if (up) {
                    long failed = Math.round(perSample * behaviour.errorRate());
                    c[0] += perSample;
                    c[1] += failed;
                    totalRequests += perSample;
                    totalFailed += failed;
                    latency.put(instance.id(), behaviour.latencyMs());
                }
                servers.add(new TrafficSample.Server("slot-" + instance.id(), instance.address(), instance.port(),
                        new TrafficSample.Counters(c[0], c[1]), latency.getOrDefault(instance.id(), 0.0), up));
            }
        }
        return new TrafficSample(new TrafficSample.Counters(totalRequests, totalFailed), servers);
    }
}
