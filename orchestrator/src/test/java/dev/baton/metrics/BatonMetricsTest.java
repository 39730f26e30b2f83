package dev.baton.metrics;

import dev.baton.notify.RolloutObserver;
import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Step;
import dev.baton.store.RolloutStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The metrics a rollout's typed events make, in the text Prometheus reads; promtool agrees with the format. */
class BatonMetricsTest {
    private static final RolloutObserver.Rollout ROLLOUT = new RolloutObserver.Rollout("r-20261129-0001", "web", "2.0.0", false);

    @Test
    void eventsBecomeHistogramsCountersAndGauges() throws Exception {
        BatonMetrics metrics = new BatonMetrics();
        metrics.event(ROLLOUT, Event.rollout(Instant.now(), Step.ROLLOUT, Event.Outcome.STARTED, null, "web -> 2.0.0"));
        metrics.event(ROLLOUT, host("web-1", Step.LEAVE, Event.Outcome.OK, Duration.ofMillis(12), HostState.LEAVING));
        metrics.event(ROLLOUT, host("web-2", Step.LEAVE, Event.Outcome.OK, Duration.ofMillis(9), HostState.LEAVING));
        metrics.event(ROLLOUT, host("web-1", Step.PROPAGATE, Event.Outcome.OK, Duration.ofMillis(1800), HostState.PROPAGATING));
        metrics.event(ROLLOUT, host("web-1", Step.RESTART, Event.Outcome.OK, Duration.ofMillis(700), HostState.RESTARTING));
        metrics.event(ROLLOUT, host("web-3", Step.PREPARE, Event.Outcome.FAILED, Duration.ofSeconds(3), HostState.PENDING));

        String during = metrics.scrape();
        assertThat(value(during, "baton_hosts_out_of_rotation")).isEqualTo(2);
        assertThat(value(during, "baton_step_duration_seconds_bucket{outcome=\"OK\",step=\"RESTART\",le=\"1.0\"}")).isEqualTo(1);
        assertThat(value(during, "baton_step_duration_seconds_bucket{outcome=\"OK\",step=\"RESTART\",le=\"0.5\"}")).isEqualTo(0);
        assertThat(value(during, "baton_step_duration_seconds_count{outcome=\"OK\",step=\"LEAVE\"}")).isEqualTo(2);
        assertThat(value(during, "baton_propagation_seconds_bucket{le=\"2.0\"}")).isEqualTo(1);
        assertThat(value(during, "baton_propagation_seconds_bucket{le=\"1.0\"}")).isEqualTo(0);
        assertThat(value(during, "baton_propagation_seconds_sum")).isEqualTo(1.8);
        assertThat(value(during, "baton_agent_operation_failures_total{step=\"PREPARE\"}")).isEqualTo(1);
        assertThat(value(during, "baton_agent_operation_failures_total{step=\"RESTART\"}")).isEqualTo(0);
        assertThat(value(during, "baton_rollouts_total{status=\"SUCCEEDED\"}")).isEqualTo(0);
        assertThat(value(during, "baton_leader")).isEqualTo(0);
        assertThat(value(during, "baton_schedule_lag_seconds")).isEqualTo(0);
        metrics.leader(true);
        metrics.scheduleLag(Duration.ofMillis(1250));
        assertThat(value(metrics.scrape(), "baton_leader")).isEqualTo(1);
        assertThat(value(metrics.scrape(), "baton_schedule_lag_seconds")).isEqualTo(1.25);

        metrics.event(ROLLOUT, host("web-1", Step.JOIN, Event.Outcome.OK, Duration.ofMillis(300), HostState.DONE));
        assertThat(value(metrics.scrape(), "baton_hosts_out_of_rotation")).isEqualTo(1);
        metrics.ended(ROLLOUT, RolloutStatus.ROLLED_BACK, "rolled back");
        String after = metrics.scrape();
        assertThat(value(after, "baton_rollouts_total{status=\"ROLLED_BACK\"}")).isEqualTo(1);
        assertThat(value(after, "baton_hosts_out_of_rotation")).isEqualTo(0);

        PrometheusTools.Checked checked = PrometheusTools.checkMetrics(after);
        assertThat(checked.exit()).as("promtool check metrics said:\n%s\non:\n%s", checked.output(), after).isZero();
        assertThat(checked.output()).isBlank();
    }

    @Test
    void aHandedOverRolloutsHostsAreNoLongerCountedHere() {
        BatonMetrics metrics = new BatonMetrics();
        metrics.event(ROLLOUT, host("web-1", Step.LEAVE, Event.Outcome.OK, Duration.ofMillis(12), HostState.LEAVING));
        assertThat(value(metrics.scrape(), "baton_hosts_out_of_rotation")).isEqualTo(1);
        metrics.handedOver(ROLLOUT);
        assertThat(value(metrics.scrape(), "baton_hosts_out_of_rotation")).isEqualTo(0);
        assertThat(value(metrics.scrape(), "baton_rollouts_total{status=\"FAILED\"}")).isEqualTo(0);
    }

    private static Event host(String host, Step step, Event.Outcome outcome, Duration took, HostState state) {
        return new Event(Instant.now(), host, step, outcome, took, null, "2.0.0", state, Map.of());
    }

    /** The value of one series, exactly as written in the scrape. */
    static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no series " + series + " in:\n" + scrape));
    }
}
