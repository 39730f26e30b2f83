package dev.baton.rollout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Emits a TRAFFIC event every {@code every} while the rollout runs, on its own thread: requests and failures
 * through the load balancer since the rollout started, rates over the last step, instances up in the load
 * balancer and targets out of rotation, and per instance its rate, error rate and latency. A sample the load
 * balancer does not answer is skipped (no event), and the next step spans the gap; the first answer is the baseline.
 * Sampling runs beside the rollout and never delays it. Real time, not the engine's
 * clock: a sample is a look at the world, not a wait of the rollout.
 */
final class TrafficWatch {
    static final Duration LONG = Duration.ofMinutes(30);
    static final int SLOWER = 10;

    private final TrafficSource source;
    private final List<Instance> targets;
    private final Duration every;
    private final RolloutEvents events;
    private final RolloutControl control;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private TrafficTally tally;
    private long lastNanos;
    private volatile boolean stopped;
    private volatile boolean answering;

    private TrafficWatch(TrafficSource source, List<Instance> targets, Duration every, RolloutEvents events, RolloutControl control) {
        this.source = source;
        this.control = control;
        this.targets = List.copyOf(targets);
        this.every = every;
        this.events = events;
        this.thread = new Thread(this::loop, "traffic-watch");
        thread.setDaemon(true);
    }

    /** Starts watching; the first sample the load balancer answers is the baseline the totals count from. */
    static TrafficWatch start(TrafficSource source, List<Instance> targets, Duration every, RolloutEvents events,
                              RolloutControl control) {
        TrafficWatch watch = new TrafficWatch(source, targets, every, events, control);
        watch.thread.start();
        return watch;
    }

    /**
     * Stops sampling and, when the load balancer answered the last time, emits one more sample, so that the totals
     * are complete before the rollout's end (a load balancer that hangs does not hold the end up twice).
     */
    void stop() {
        if (stopped) return;
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (answering) sampleOnce();
    }

    private void loop() {
        sampleOnce();
        while (!stopped) {
            try {
                Thread.sleep(nextWait().toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (!stopped) sampleOnce();
        }
    }

    /**
     * The event log keeps every sample: while paused, or once the rollout has run for {@link #LONG}, nothing moves
     * fast enough to need one a second, so samples come {@link #SLOWER} times less often.
     */
    private Duration nextWait() {
        boolean idle = control.paused() || System.nanoTime() - startNanos > LONG.toNanos();
        return idle ? every.multipliedBy(SLOWER) : every;
    }

    private synchronized void sampleOnce() {
        TrafficSample sample;
        try {
            sample = source.sample();
            answering = true;
        } catch (StepFailure | RuntimeException e) {
            answering = false;
            return;
        }
        long now = System.nanoTime();
        if (tally == null) {
            tally = new TrafficTally(sample);
            lastNanos = now;
            return;
        }
        double seconds = Math.max(0.001, (now - lastNanos) / 1e9);
        lastNanos = now;
        TrafficTally.Step step = tally.add(sample);
        events.emit(Step.TRAFFIC, Event.Outcome.OK, null, describe(sample, step, seconds), fields(sample, step, seconds));
    }

    private String describe(TrafficSample sample, TrafficTally.Step step, double seconds) {
        return String.format("%d requests, %d failed; %.0f req/s, %.1f failed/s; %d up, %d out of rotation", tally.requests(),
                tally.failed(), step.total().requests() / seconds, step.total().failed() / seconds, passing(sample),
                outOfRotation(sample));
    }

    private Map<String, Object> fields(TrafficSample sample, TrafficTally.Step step, double seconds) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("requests", tally.requests());
        fields.put("failed", tally.failed());
        fields.put("rps", round(step.total().requests() / seconds));
        fields.put("failedPerS", round(step.total().failed() / seconds));
        fields.put("passing", passing(sample));
        fields.put("outOfRotation", outOfRotation(sample));
        Map<String, Double> latency = new LinkedHashMap<>();
        for (TrafficSample.Server server : sample.servers()) latency.putIfAbsent(server.endpoint(), server.latencyMs());
        Map<String, Object> instances = new LinkedHashMap<>();
        for (Instance target : targets) {
            String endpoint = TrafficTally.endpoint(target);
            TrafficSample.Counters counters = step.endpoints().getOrDefault(endpoint, new TrafficSample.Counters(0, 0));
            Map<String, Object> instance = new LinkedHashMap<>();
            instance.put("rps", round(counters.requests() / seconds));
            instance.put("errorRate", counters.requests() == 0 ? 0.0 : round((double) counters.failed() / counters.requests()));
            instance.put("rtimeMs", latency.getOrDefault(endpoint, 0.0));
            instances.put(target.id(), instance);
        }
        fields.put("instances", instances);
        return fields;
    }

    private static int passing(TrafficSample sample) {
        Set<String> up = new TreeSet<>();
        for (TrafficSample.Server server : sample.servers()) if (server.up() && !server.address().isEmpty()) up.add(server.endpoint());
        return up.size();
    }

    private int outOfRotation(TrafficSample sample) {
        Set<String> up = new TreeSet<>();
        for (TrafficSample.Server server : sample.servers()) if (server.up()) up.add(server.endpoint());
        return (int) targets.stream().filter(t -> !up.contains(TrafficTally.endpoint(t))).count();
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
