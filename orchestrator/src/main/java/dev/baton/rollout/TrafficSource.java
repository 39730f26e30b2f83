package dev.baton.rollout;

/**
 * Where the engine reads the traffic of the service's instances: cumulative counters, read again at each
 * sample; the engine works with the differences. An answer that cannot be read as expected is a failure.
 */
public interface TrafficSource {
    TrafficSample sample() throws StepFailure;

    /** What the samples' latency figure is, for the ANALYSIS event. */
    default String latencyMeasure() {
        return "mean response time of the window's requests, recovered from HAProxy's rtime (a moving mean over each "
                + "server's last 512 responses; HAProxy gives no percentiles)";
    }
}
