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
     * One server slot. {@code latencyMs}: the best latency figure the source has (NaN: unknown). With a
     * {@code latencyWindow} W above 0 it is a moving mean: a sum that keeps (1 − 1/W) of itself per response, divided
     * by min(requests, W) (HAProxy's {@code rtime}, W = 512; it gives no percentiles), from which the engine recovers
     * the mean of the responses between two samples; with 0 it is already a figure of now (Prometheus' p99).
     * {@code up}: it takes new requests.
     */
    public record Server(String slot, String address, int port, Counters counters, double latencyMs, boolean up, long latencyWindow) {
        public Server(String slot, String address, int port, Counters counters, double latencyMs, boolean up) {
            this(slot, address, port, counters, latencyMs, up, 0);
        }

        public String endpoint() {
            return address + ":" + port;
        }
    }
}
