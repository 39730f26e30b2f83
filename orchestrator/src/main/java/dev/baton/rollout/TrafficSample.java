package dev.baton.rollout;

import java.util.List;

/**
 * Counters of the service's traffic at one moment, cumulative since the source started counting: the whole
 * backend ({@code total}, which also counts requests no server took) and each server slot. A slot is the
 * source's own unit (an HAProxy server line); it may serve another address later, so differences are only
 * taken between two samples of the same slot on the same address.
 */
public record TrafficSample(Counters total, List<Server> servers) {
    public TrafficSample {
        servers = List.copyOf(servers);
    }

    /** Requests answered or failed, and those that failed (5xx, connection and response errors). */
    public record Counters(long requests, long failed) {
        Counters minus(Counters earlier) {
            // A counter that went down was reset (a reload): everything counted since is new.
            if (requests < earlier.requests || failed < earlier.failed) return this;
            return new Counters(requests - earlier.requests, failed - earlier.failed);
        }
    }

    /**
     * One server slot. {@code latencyMs}: the best latency figure the source has (HAProxy: {@code rtime}, the mean
     * response time of the slot's last 1024 responses; it gives no percentiles; NaN: unknown). {@code up}: it takes new
     * requests.
     */
    public record Server(String slot, String address, int port, Counters counters, double latencyMs, boolean up) {
        public String endpoint() {
            return address + ":" + port;
        }
    }
}
