package dev.baton.metrics;

import dev.baton.notify.RolloutObserver;
import dev.baton.notify.WebhookNotifier;
import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Step;
import dev.baton.store.RolloutStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's Prometheus metrics, kept from the rollouts' typed events ({@link RolloutObserver}) and served as the
 * text format by {@link #scrape}. Names: {@code baton_rollouts_total{status}}, {@code baton_step_duration_seconds{step,outcome}},
 * {@code baton_propagation_seconds}, {@code baton_hosts_out_of_rotation}, {@code baton_agent_operation_failures_total{step}},
 * {@code baton_leader}, {@code baton_schedule_lag_seconds}, and the webhooks' {@code baton_webhook_deliveries_total{result}},
 * {@code baton_webhook_pending}.
 */
public final class BatonMetrics implements RolloutObserver {
    /** Step durations run from milliseconds (LEAVE) to minutes (PREPARE of a big release, CHECK with minHealthyTime). */
    private static final Duration[] STEP_BUCKETS = durations(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);
    private static final Duration[] PROPAGATION_BUCKETS = durations(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60, 120);
    private static final Set<Step> AGENT_OPERATIONS = Set.of(Step.PREPARE, Step.RESTART);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Each host's last state, by rollout id and host; a rollout's hosts are forgotten when it ends. */
    private final Map<String, Map<String, HostState>> hostStates = new ConcurrentHashMap<>();
    private final Map<Step, Map<Event.Outcome, Timer>> stepTimers = new ConcurrentHashMap<>();
    private final Timer propagation;
    private volatile boolean leader;
    private volatile double scheduleLagSeconds;

    public BatonMetrics() {
        for (RolloutStatus status : RolloutStatus.values()) {
            if (status.isFinal()) rollouts(status);
        }
        for (Step step : AGENT_OPERATIONS) agentFailures(step);
        propagation = Timer.builder("baton.propagation")
                .description("Time from leaving rotation until every propagation check agreed the load balancer stopped "
                        + "sending traffic (PROPAGATE steps that ended OK)")
                .serviceLevelObjectives(PROPAGATION_BUCKETS)
                .register(registry);
        Gauge.builder("baton.hosts.out.of.rotation", this, BatonMetrics::outOfRotation)
                .description("Hosts this server's running rollouts have out of rotation now (LEAVING to JOINING, or RESTORING)")
                .register(registry);
        Gauge.builder("baton.leader", this, m -> m.leader ? 1 : 0)
                .description("1 while this server is the leader of the servers sharing its Consul (it runs schedules, webhooks "
                        + "and rollouts), 0 on a follower")
                .register(registry);
        Gauge.builder("baton.schedule.lag", this, m -> m.scheduleLagSeconds).baseUnit("seconds")
                .description("How late the last scheduled rollout started: when it started minus when it was due (0 until one fires)")
                .register(registry);
    }

    /** This server became the leader, or stopped being it. */
    public void leader(boolean leading) {
        this.leader = leading;
    }

    /** A schedule fired: started {@code lag} after its due time. */
    public void scheduleLag(Duration lag) {
        this.scheduleLagSeconds = lag.isNegative() ? 0 : lag.toNanos() / 1e9;
    }

    /** Counts the webhooks' deliveries from the notifier's own counters. */
    public void watch(WebhookNotifier notifier) {
        Map<String, java.util.function.ToDoubleFunction<WebhookNotifier>> results = Map.of(
                "delivered", n -> n.stats().delivered(), "retried", n -> n.stats().retried(),
                "failed", n -> n.stats().failed(), "dropped", n -> n.stats().dropped());
        results.forEach((result, count) -> FunctionCounter.builder("baton.webhook.deliveries", notifier, count)
                .description("Webhook delivery attempts by result: delivered, retried (an attempt failed, another follows), "
                        + "failed (given up), dropped (the queue was full)")
                .tag("result", result).register(registry));
        Gauge.builder("baton.webhook.pending", notifier, n -> n.stats().pending())
                .description("Webhook deliveries waiting (also kept in Consul KV)")
                .register(registry);
    }

    /** The Prometheus text format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    @Override
    public void event(Rollout rollout, Event event) {
        if (event.took() != null && event.outcome() != Event.Outcome.STARTED) {
            stepTimer(event.step(), event.outcome()).record(event.took());
            if (event.step() == Step.PROPAGATE && event.outcome() == Event.Outcome.OK) propagation.record(event.took());
        }
        if (event.host() != null && event.outcome() == Event.Outcome.FAILED && AGENT_OPERATIONS.contains(event.step())) {
            agentFailures(event.step()).increment();
        }
        if (event.host() != null && event.state() != null) {
            hostStates.computeIfAbsent(rollout.id(), id -> new ConcurrentHashMap<>()).put(event.host(), event.state());
        }
    }

    @Override
    public void ended(Rollout rollout, RolloutStatus status, String summary) {
        rollouts(status).increment();
        hostStates.remove(rollout.id());
    }

    /** Its hosts are the next server's to count. */
    @Override
    public void handedOver(Rollout rollout) {
        hostStates.remove(rollout.id());
    }

    private double outOfRotation() {
        return hostStates.values().stream().flatMap(hosts -> hosts.values().stream()).filter(HostState::outOfRotation).count();
    }

    private Counter rollouts(RolloutStatus status) {
        return Counter.builder("baton.rollouts")
                .description("Rollouts this server ended, by final status")
                .tag("status", status.name())
                .register(registry);
    }

    private Counter agentFailures(Step step) {
        return Counter.builder("baton.agent.operation.failures")
                .description("Agent operations that failed (PREPARE: fetch and verify the release; RESTART: drain, switch, start)")
                .tag("step", step.name())
                .register(registry);
    }

    private Timer stepTimer(Step step, Event.Outcome outcome) {
        return stepTimers.computeIfAbsent(step, s -> new ConcurrentHashMap<>()).computeIfAbsent(outcome, o ->
                Timer.builder("baton.step.duration")
                        .description("How long each step took (host steps and rollout-wide ones), by step and outcome")
                        .tag("step", step.name()).tag("outcome", outcome.name())
                        .serviceLevelObjectives(STEP_BUCKETS)
                        .register(registry));
    }

    private static Duration[] durations(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        return out;
    }
}
