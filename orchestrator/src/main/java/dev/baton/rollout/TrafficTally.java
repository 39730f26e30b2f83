package dev.baton.rollout;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The traffic since a first sample, from the differences between consecutive samples: totals, and per endpoint
 * (address:port) requests, failures and a request-weighted latency. A slot whose address changed between two
 * samples counts nothing for that step, because its counters mix two instances.
 */
final class TrafficTally {
    /** Requests, failures and latency of a group of instances; rates and latency are null without requests. */
    record Stats(long requests, long failed, Double latencyMs) {
        Double successRate() {
            return requests == 0 ? null : 1.0 - (double) failed / requests;
        }

        Double errorRate() {
            return requests == 0 ? null : (double) failed / requests;
        }
    }

    /** What one step between two samples added. */
    record Step(TrafficSample.Counters total, Map<String, TrafficSample.Counters> endpoints) {
    }

    private static final class Endpoint {
        long requests;
        long failed;
        double latencyTimesRequests;
        long latencyRequests;
    }

    private TrafficSample last;
    private long requests;
    private long failed;
    private final Map<String, Endpoint> endpoints = new HashMap<>();

    TrafficTally(TrafficSample first) {
        this.last = first;
    }

    TrafficSample last() {
        return last;
    }

    Step add(TrafficSample next) {
        TrafficSample.Counters total = next.total().minus(last.total());
        requests += total.requests();
        failed += total.failed();
        Map<String, TrafficSample.Server> before = new HashMap<>();
        for (TrafficSample.Server server : last.servers()) before.put(server.slot(), server);
        Map<String, TrafficSample.Counters> step = new LinkedHashMap<>();
        for (TrafficSample.Server server : next.servers()) {
            TrafficSample.Server earlier = before.get(server.slot());
            if (server.address().isEmpty() || earlier == null || !earlier.endpoint().equals(server.endpoint())) continue;
            TrafficSample.Counters added = server.counters().minus(earlier.counters());
            step.merge(server.endpoint(), added, (a, b) -> new TrafficSample.Counters(a.requests() + b.requests(), a.failed() + b.failed()));
            Endpoint endpoint = endpoints.computeIfAbsent(server.endpoint(), e -> new Endpoint());
            endpoint.requests += added.requests();
            endpoint.failed += added.failed();
            double latency = latencyOfNewResponses(earlier, server, added.requests());
            if (!Double.isNaN(latency)) {
                endpoint.latencyTimesRequests += latency * added.requests();
                endpoint.latencyRequests += added.requests();
            }
        }
        last = next;
        return new Step(total, step);
    }

    /**
     * The mean latency of the {@code added} responses between two samples. The source's moving sum S (shown as
     * S / min(requests, W)) keeps (1 − 1/W) of itself per response: S' = S·d + x·W·(1 − d) with d = (1 − 1/W)^added,
     * solved for x. The figure is rounded to a millisecond, so a step with few responses is noisy, but the errors
     * cancel over a window (the sum telescopes).
     */
    static double latencyOfNewResponses(TrafficSample.Server earlier, TrafficSample.Server now, long added) {
        long w = now.latencyWindow();
        if (w == 0 || added == 0 || Double.isNaN(now.latencyMs()) || Double.isNaN(earlier.latencyMs())) return now.latencyMs();
        double sumNow = now.latencyMs() * Math.min(now.counters().requests(), w);
        double sumBefore = earlier.latencyMs() * Math.min(earlier.counters().requests(), w);
        double kept = Math.pow(1 - 1.0 / w, added);
        return Math.max(0, (sumNow - sumBefore * kept) / (w * (1 - kept)));
    }

    long requests() {
        return requests;
    }

    long failed() {
        return failed;
    }

    Stats stats(Collection<String> group) {
        long groupRequests = 0;
        long groupFailed = 0;
        double latency = 0;
        long latencyRequests = 0;
        for (String name : group) {
            Endpoint endpoint = endpoints.get(name);
            if (endpoint == null) continue;
            groupRequests += endpoint.requests;
            groupFailed += endpoint.failed;
            latency += endpoint.latencyTimesRequests;
            latencyRequests += endpoint.latencyRequests;
        }
        return new Stats(groupRequests, groupFailed, latencyRequests == 0 ? null : latency / latencyRequests);
    }

    static String endpoint(Instance instance) {
        return instance.address() + ":" + instance.port();
    }
}
