package dev.baton.rollout;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Differences between samples, and the latency of the new responses recovered from HAProxy's moving mean. */
class TrafficTallyTest {
    /** HAProxy's rtime as it reports it: a moving sum over 512 responses, shown as a whole-millisecond mean. */
    private static final class MovingMean {
        double sum;
        long requests;

        void add(long n, double ms) {
            for (long i = 0; i < n; i++) {
                requests++;
                sum = sum - sum / 512 + ms;
            }
        }

        TrafficSample.Server server() {
            long window = Math.min(requests, 512);
            // before the window is full, HAProxy divides the (decaying) sum by the requests seen
            return new TrafficSample.Server("s1", "10.0.0.1", 8080, new TrafficSample.Counters(requests, 0),
                    Math.round(sum / window), true, 512);
        }
    }

    private static TrafficSample sample(TrafficSample.Server server) {
        return new TrafficSample(server.counters(), List.of(server));
    }

    @Test
    void recoversTheLatencyOfASlowReleaseThatTheMovingMeanOnlyShowsLater() {
        MovingMean rtime = new MovingMean();
        rtime.add(5000, 2);
        TrafficTally tally = new TrafficTally(sample(rtime.server()));
        for (int step = 0; step < 5; step++) {
            rtime.add(60, 202);
            tally.add(sample(rtime.server()));
        }
        // HAProxy shows about 90 ms after 300 slow responses; the responses themselves took 202 ms
        assertThat(rtime.server().latencyMs()).isLessThan(110);
        assertThat(tally.stats(List.of("10.0.0.1:8080")).latencyMs()).isCloseTo(202, within(6.0));
    }

    @Test
    void beforeTheWindowIsFullTheMeanIsPlain() {
        MovingMean rtime = new MovingMean();
        rtime.add(100, 3);
        TrafficTally tally = new TrafficTally(sample(rtime.server()));
        rtime.add(100, 50);
        tally.add(sample(rtime.server()));
        assertThat(tally.stats(List.of("10.0.0.1:8080")).latencyMs()).isCloseTo(50, within(3.0));
    }

    @Test
    void aSlotThatMovedToAnotherAddressCountsNothingForThatStep() {
        TrafficSample before = sample(new TrafficSample.Server("s1", "10.0.0.1", 8080, new TrafficSample.Counters(100, 1), 5, true));
        TrafficSample after = sample(new TrafficSample.Server("s1", "10.0.0.9", 8080, new TrafficSample.Counters(150, 1), 5, true));
        TrafficTally tally = new TrafficTally(before);
        tally.add(after);
        assertThat(tally.stats(List.of("10.0.0.1:8080", "10.0.0.9:8080")).requests()).isZero();
        assertThat(tally.requests()).isEqualTo(50);
    }
}
