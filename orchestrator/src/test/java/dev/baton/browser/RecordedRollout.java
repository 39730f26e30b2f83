package dev.baton.browser;

import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Step;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A recorded rollout of many hosts, generated deterministically (same seed, same events) in the shape the engine
 * emits them: after ROLLOUT STARTED, every host PREPAREs at once, then a canary and batches whose hosts walk LEAVE,
 * PROPAGATE, RESTART, CHECK, JOIN with the states, details and fields of HostRollout (a few fail CHECK and are
 * RESTOREd), a BATCH event around each batch, an ANALYSIS verdict after each, and a TRAFFIC sample every second
 * with the data contract of the traffic source (cumulative requests and failed, rates, passing, out of rotation,
 * per instance). Times are offsets from the start; the replay stamps them with the real clock.
 */
final class RecordedRollout {
    static final String SERVICE = "web";
    static final String FROM = "1.0.0";
    static final String TO = "2.0.0";

    /** One event and when it happens, in ms after the rollout started. */
    record Timed(long offsetMs, Event event) {
    }

    /**
     * @param hosts          how many hosts
     * @param canary         hosts in the canary batch (batch 0)
     * @param batch          hosts per batch after the canary
     * @param failingHosts   hosts whose CHECK fails (spread over the batches); they are restored
     * @param failedAnalysis the batch whose analysis fails, with failed requests while it runs; -1 for none
     */
    record Shape(int hosts, int canary, int batch, int failingHosts, int failedAnalysis, long seed) {
        static Shape thousand() {
            return new Shape(1000, 10, 100, 3, -1, 20261129L);
        }
    }

    private final Shape shape;
    private final List<Timed> events = new ArrayList<>();
    private final List<Instance> instances = new ArrayList<>();
    /** ms -> +1 (a host leaves rotation) / -1 (it is back), for the traffic samples. */
    private final TreeMap<Long, Integer> rotation = new TreeMap<>();
    private final Map<Integer, long[]> failedWindows = new LinkedHashMap<>();
    /** The hosts of the batch whose release fails requests. */
    private final Set<String> erroring = new java.util.HashSet<>();
    private final Random random;
    private long end;

    private RecordedRollout(Shape shape) {
        this.shape = shape;
        this.random = new Random(shape.seed());
    }

    static RecordedRollout generate(Shape shape) {
        RecordedRollout r = new RecordedRollout(shape);
        r.build();
        return r;
    }

    List<Timed> events() {
        return events;
    }

    List<Instance> instances() {
        return instances;
    }

    Duration length() {
        return Duration.ofMillis(end);
    }

    int hosts() {
        return shape.hosts();
    }

    private void build() {
        for (int i = 1; i <= shape.hosts(); i++) {
            instances.add(new Instance(String.format("%s-%04d", SERVICE, i), SERVICE, "node-" + i,
                    "127.20." + (i / 250) + "." + (i % 250 + 2), 8080));
        }
        List<List<Instance>> batches = new ArrayList<>();
        batches.add(instances.subList(0, Math.min(shape.canary(), instances.size())));
        for (int i = shape.canary(); i < instances.size(); i += shape.batch()) {
            batches.add(instances.subList(i, Math.min(i + shape.batch(), instances.size())));
        }
        rolloutOk(batches);
        long t = prepareAll();
        Set<Integer> failing = failingIndexes();
        int index = 0;
        for (int b = 0; b < batches.size(); b++) {
            List<Instance> batch = batches.get(b);
            String label = (b == 0 ? "canary" : "batch " + b) + ": " + String.join(", ", batch.stream().map(Instance::id).toList());
            long batchStart = t;
            rollout(t, Step.BATCH, Event.Outcome.STARTED, null, label, Map.of());
            long batchEnd = t;
            int failedHere = 0;
            for (Instance host : batch) {
                long ended = host(host, t + random.nextInt(40), failing.contains(index++));
                if (ended < 0) failedHere++;
                batchEnd = Math.max(batchEnd, Math.abs(ended));
            }
            batchEnd += 5;
            rollout(batchEnd, Step.BATCH, failedHere == 0 ? Event.Outcome.OK : Event.Outcome.FAILED, Duration.ofMillis(batchEnd - batchStart),
                    label + (failedHere == 0 ? "" : " — " + failedHere + " failed"), Map.of());
            if (b == shape.failedAnalysis()) {
                failedWindows.put(b, new long[]{batchStart, batchEnd});
                batch.forEach(i -> erroring.add(i.id()));
            }
            t = analysis(batchEnd + 50, b) + 200;
            if (b == shape.failedAnalysis()) break; // the gate stops the rollout here (the rollback is not recorded)
        }
        end = t;
        if (shape.failedAnalysis() >= 0) {
            rollout(end, Step.ROLLOUT, Event.Outcome.FAILED, Duration.ofMillis(end), "the analysis of batch " + shape.failedAnalysis()
                    + " failed: success rate 95.00% < 99.50%", Map.of());
        } else {
            rollout(end, Step.ROLLOUT, Event.Outcome.OK, Duration.ofMillis(end), instances.size() + " hosts rolled to " + TO
                    + (shape.failingHosts() == 0 ? "" : "; " + shape.failingHosts() + " failed and were restored"), Map.of());
        }
        traffic();
        events.sort(Comparator.comparingLong(Timed::offsetMs));
    }

    /** The engine's ROLLOUT OK after resolving its targets: how many hosts in how many batches. */
    private void rolloutOk(List<List<Instance>> batches) {
        List<String> labels = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            labels.add((b == 0 ? "canary" : "batch " + b) + ": " + String.join(", ", batches.get(b).stream().map(Instance::id).toList()));
        }
        rollout(0, Step.ROLLOUT, Event.Outcome.OK, null, instances.size() + " hosts in " + batches.size() + " batches: "
                + String.join("; ", labels), Map.of());
    }

    /** Every host fetches and verifies the release at once, while it serves; returns when the last is done. */
    private long prepareAll() {
        long last = 0;
        for (Instance host : instances) {
            long start = 5 + random.nextInt(250);
            long took = 150 + random.nextInt(650);
            hostEvent(start, host, Step.PREPARE, Event.Outcome.STARTED, null, null, HostState.PENDING, Map.of());
            hostEvent(start + took, host, Step.PREPARE, Event.Outcome.OK, took, TO + " fetched and verified while serving",
                    HostState.PENDING, Map.of());
            last = Math.max(last, start + took);
        }
        return last + 20;
    }

    /** One host's walk; returns when it ended (negative when it failed and was restored). */
    private long host(Instance host, long t, boolean fails) {
        t = step(host, t, Step.LEAVE, 8 + random.nextInt(30), HostState.PREPARED, HostState.LEAVING,
                "in Consul maintenance: baton: rolling out web " + TO, Map.of());
        rotation.merge(t, 1, Integer::sum);
        long consulMs = 30 + random.nextInt(120);
        long lbMs = consulMs + 100 + random.nextInt(300);
        t = step(host, t, Step.PROPAGATE, lbMs + 5, HostState.PROPAGATING, HostState.PROPAGATING,
                "out of rotation: consul after " + consulMs + "ms, loadBalancer after " + lbMs + "ms",
                Map.of("verified", List.of("consul", "loadBalancer"), "consulMs", consulMs, "loadBalancerMs", lbMs));
        int oldPid = 10_000 + random.nextInt(50_000);
        t = step(host, t, Step.RESTART, 700 + random.nextInt(900), HostState.RESTARTING, HostState.RESTARTING,
                "drained, switched " + FROM + " -> " + TO + ", started, ready",
                Map.of("oldPid", oldPid, "newPid", oldPid + 7, "previousVersion", FROM));
        if (fails) {
            long took = 2000;
            hostEvent(t, host, Step.CHECK, Event.Outcome.STARTED, null, null, HostState.CHECKING, Map.of());
            hostEvent(t + took, host, Step.CHECK, Event.Outcome.FAILED, took,
                    "not healthy without a break for 1s within 2s: GET /healthz -> 503", HostState.CHECKING, Map.of("probes", 20));
            t += took + 3;
            t = step(host, t, Step.RESTORE, 200 + random.nextInt(200), HostState.RESTORING, HostState.RESTORED,
                    "healthy, back in rotation: GET /healthz -> 200", Map.of());
            rotation.merge(t, -1, Integer::sum);
            return -t;
        }
        t = step(host, t, Step.CHECK, 500 + random.nextInt(500), HostState.CHECKING, HostState.CHECKING,
                "healthy without a break for 500ms: GET /healthz -> 200", Map.of("probes", 6 + random.nextInt(5)));
        t = step(host, t, Step.JOIN, 250 + random.nextInt(500), HostState.JOINING, HostState.DONE,
                "passing in Consul", Map.of());
        rotation.merge(t, -1, Integer::sum);
        return t;
    }

    private long step(Instance host, long t, Step step, long took, HostState during, HostState after, String detail,
                      Map<String, Object> fields) {
        hostEvent(t, host, step, Event.Outcome.STARTED, null, null, during, Map.of());
        hostEvent(t + took, host, step, Event.Outcome.OK, took, detail, after, fields);
        return t + took + 1 + random.nextInt(4);
    }

    /** The analysis gate's verdict on a batch: pass, or fail for the chosen one; the canary's is the first. */
    private long analysis(long t, int batch) {
        boolean fails = batch == shape.failedAnalysis();
        long requests = 2000 + random.nextInt(1000);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verdict", fails ? "fail" : "pass");
        fields.put("batch", batch);
        fields.put("successRate", fails ? 0.95 : 0.9995 + random.nextInt(5) / 10_000.0);
        fields.put("baselineSuccessRate", 0.9996);
        fields.put("p99Ms", 40 + random.nextInt(20));
        fields.put("baselineP99Ms", 45);
        fields.put("requests", requests);
        fields.put("reason", fails ? "success rate 95.00% < 99.50% (baseline 99.96%)" : "success rate and p99 within bounds");
        rollout(t, Step.ANALYSIS, fails ? Event.Outcome.FAILED : Event.Outcome.OK, Duration.ofSeconds(10),
                (batch == 0 ? "canary" : "batch " + batch) + ": " + fields.get("reason"), fields);
        return t;
    }

    /** One TRAFFIC sample a second, from the first to past the last event: about 3,000 req/s through the load balancer. */
    private void traffic() {
        long requests = 0;
        long failed = 0;
        int out = 0;
        long previous = 0;
        var changes = rotation.entrySet().iterator();
        var next = changes.hasNext() ? changes.next() : null;
        for (long t = 1000; t <= end + 1000; t += 1000) {
            while (next != null && next.getKey() <= t) {
                out += next.getValue();
                next = changes.hasNext() ? changes.next() : null;
            }
            double rps = 2900 + random.nextInt(200);
            double failedPerS = 0;
            for (long[] window : failedWindows.values()) {
                if (t >= window[0] && t <= window[1] + 1000) failedPerS = rps * 0.05 * erroring.size() / instances.size(); // 5% of what the bad release serves
            }
            long elapsed = t - previous;
            previous = t;
            requests += Math.round(rps * elapsed / 1000.0);
            failed += Math.round(failedPerS * elapsed / 1000.0);
            int passing = instances.size() - out;
            Map<String, Object> perInstance = new LinkedHashMap<>();
            for (Instance i : instances) {
                perInstance.put(i.id(), Map.of("rps", Math.round(rps / Math.max(1, passing) * 100) / 100.0,
                        "errorRate", failedPerS > 0 && erroring.contains(i.id()) ? 0.05 : 0.0, "p99Ms", 35 + random.nextInt(25)));
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("requests", requests);
            fields.put("failed", failed);
            fields.put("rps", rps);
            fields.put("failedPerS", failedPerS);
            fields.put("passing", passing);
            fields.put("outOfRotation", out);
            fields.put("instances", perInstance);
            rollout(t, Step.TRAFFIC, Event.Outcome.OK, null, String.format("%.0f req/s, %d requests, %d failed", rps, requests, failed), fields);
        }
    }

    private void hostEvent(long t, Instance host, Step step, Event.Outcome outcome, Long took, String detail, HostState state,
                           Map<String, Object> fields) {
        events.add(new Timed(t, new Event(Instant.EPOCH, host.id(), step, outcome, took == null ? null : Duration.ofMillis(took),
                detail, TO, state, fields)));
    }

    private void rollout(long t, Step step, Event.Outcome outcome, Duration took, String detail, Map<String, Object> fields) {
        events.add(new Timed(t, new Event(Instant.EPOCH, null, step, outcome, took, detail, null, null, fields)));
    }

    private Set<Integer> failingIndexes() {
        Set<Integer> failing = new java.util.HashSet<>();
        for (int k = 1; k <= shape.failingHosts(); k++) failing.add((int) ((long) shape.hosts() * k / (shape.failingHosts() + 1)));
        return failing;
    }
}
