package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After a batch is back in rotation: judges the switched instances by their traffic through the load balancer,
 * measuring every {@code interval} what they served since the gate started, for {@code window}. More than
 * {@code failureLimit} failing measurements (or a failing last one) applies {@code analysis.onFailure}; a passing
 * last one passes; too few requests on the switched instances at the end applies {@code onInconclusive}. One
 * ANALYSIS event carries the verdict and the numbers. The operator can abort or roll back meanwhile.
 */
final class AnalysisGate {
    /** With compareTo: baseline, latency above the bound fails only if also this much above the baseline's. */
    static final double BASELINE_LATENCY_FACTOR = 1.2;

    enum Kind { PASS, FAIL, INCONCLUSIVE }

    /** One measurement: its verdict, why, and the numbers behind it. */
    record Measurement(Kind kind, String reason, TrafficTally.Stats switched, TrafficTally.Stats baseline) {
    }

    private final Plan.Analysis spec;
    private final TrafficSource source;
    private final RolloutControl control;
    private final FailurePolicy onFailure;
    private final FailurePolicy pauseOnInconclusive;
    private final Clock clock;
    private final RolloutEvents events;

    AnalysisGate(Plan.Analysis spec, TrafficSource source, RolloutControl control, Pauses pauses, Clock clock, RolloutEvents events) {
        this.spec = spec;
        this.source = source;
        this.control = control;
        this.onFailure = new FailurePolicy(spec.onFailure(), control, pauses);
        this.pauseOnInconclusive = new FailurePolicy(Plan.OnFailure.PAUSE, control, pauses);
        this.clock = clock;
        this.events = events;
    }

    /** CONTINUE when the analysis passed (or an inconclusive one was accepted); otherwise what the policy decided. */
    Verdict judge(Schedule.Batch batch, List<Instance> switched, List<Instance> baseline) throws InterruptedException {
        Instant start = clock.now();
        Instant until = start.plus(spec.window());
        TrafficTally tally = null;
        String unreadable = null;
        Measurement last = null;
        int failures = 0;
        int measurements = 0;
        try {
            tally = new TrafficTally(source.sample());
        } catch (StepFailure e) {
            unreadable = e.getMessage();
        }
        while (true) {
            Verdict operator = Pauses.verdict(control.decision(), "by operator");
            if (!operator.proceeds()) return operator;
            String fence = control.fenceBroken();
            if (fence != null) return Verdict.abort(fence);
            Duration left = Duration.between(clock.now(), until);
            if (left.isNegative() || left.isZero()) break;
            clock.sleep(left.compareTo(spec.interval()) < 0 ? left : spec.interval());
            try {
                TrafficSample sample = source.sample();
                if (tally == null) {
                    tally = new TrafficTally(sample);
                    continue;
                }
                tally.add(sample);
            } catch (StepFailure e) {
                unreadable = e.getMessage();
                continue;
            }
            last = measure(tally, switched, baseline);
            measurements++;
            if (last.kind() == Kind.FAIL && ++failures > spec.failureLimit()) {
                return fail(batch, last, failures, measurements, start);
            }
        }
        if (last == null) {
            last = new Measurement(Kind.INCONCLUSIVE, "no measurement: the load balancer's traffic could not be read"
                    + (unreadable == null ? "" : " (" + unreadable + ")"), new TrafficTally.Stats(0, 0, null), null);
        }
        return switch (last.kind()) {
            case PASS -> {
                emit(batch, last, failures, measurements, start, Event.Outcome.OK);
                yield Verdict.CONTINUE;
            }
            case FAIL -> fail(batch, last, failures, measurements, start);
            case INCONCLUSIVE -> inconclusive(batch, last, failures, measurements, start);
        };
    }

    private Verdict fail(Schedule.Batch batch, Measurement last, int failures, int measurements, Instant start) throws InterruptedException {
        emit(batch, last, failures, measurements, start, Event.Outcome.FAILED);
        return onFailure.apply("analysis of " + label(batch) + " failed: " + last.reason());
    }

    private Verdict inconclusive(Schedule.Batch batch, Measurement last, int failures, int measurements, Instant start)
            throws InterruptedException {
        emit(batch, last, failures, measurements, start, Event.Outcome.SKIPPED);
        String why = "analysis of " + label(batch) + " inconclusive: " + last.reason();
        return switch (spec.onInconclusive()) {
            case CONTINUE -> Verdict.CONTINUE;
            case ROLLBACK -> Verdict.rollback(why);
            case PAUSE -> pauseOnInconclusive.apply(why + " (resume accepts the release)");
        };
    }

    /** The verdict on the traffic so far; a pure function of the tally and the plan's thresholds. */
    Measurement measure(TrafficTally tally, List<Instance> switched, List<Instance> baseline) {
        TrafficTally.Stats now = tally.stats(switched.stream().map(TrafficTally::endpoint).toList());
        TrafficTally.Stats before = tally.stats(baseline.stream().map(TrafficTally::endpoint).toList());
        boolean compare = spec.compareTo() == Plan.CompareTo.BASELINE && before.requests() >= spec.minRequests();
        TrafficTally.Stats reference = compare ? before : null;
        if (now.requests() < spec.minRequests()) {
            return new Measurement(Kind.INCONCLUSIVE, "only " + now.requests() + " requests on the switched instances, fewer than minRequests "
                    + spec.minRequests(), now, reference);
        }
        StringBuilder failed = new StringBuilder();
        double rate = now.successRate();
        if (rate < spec.successRate() && (!compare || rate < reference.successRate() - (1 - spec.successRate()))) {
            failed.append(String.format("success rate %s < %s (%d of %d requests failed)", percent(rate), percent(spec.successRate()),
                    now.failed(), now.requests()));
            if (compare) failed.append(" and below the baseline's ").append(percent(reference.successRate())).append(" by more than ")
                    .append(String.format("%.2f points", (1 - spec.successRate()) * 100));
        }
        boolean latencyUnknown = spec.p99() != null && now.latencyMs() == null;
        if (spec.p99() != null && !latencyUnknown && now.latencyMs() > spec.p99().toMillis()
                && (!compare || reference.latencyMs() == null || now.latencyMs() > reference.latencyMs() * BASELINE_LATENCY_FACTOR)) {
            if (failed.length() > 0) failed.append("; ");
            failed.append(String.format("latency %.0f ms > %d ms", now.latencyMs(), spec.p99().toMillis()));
            if (compare && reference.latencyMs() != null) {
                failed.append(String.format(" and above %.1f× the baseline's %.0f ms", BASELINE_LATENCY_FACTOR, reference.latencyMs()));
            }
        }
        if (failed.length() > 0) return new Measurement(Kind.FAIL, failed.toString(), now, reference);
        if (latencyUnknown) return new Measurement(Kind.INCONCLUSIVE, "no latency figure for the switched instances", now, reference);
        return new Measurement(Kind.PASS, String.format("success rate %s over %d requests%s%s", percent(rate), now.requests(),
                now.latencyMs() == null ? "" : String.format(", latency %.0f ms", now.latencyMs()),
                compare ? String.format(" (baseline %s over %d requests)", percent(reference.successRate()), reference.requests())
                        : " (absolute thresholds)"), now, reference);
    }

    private void emit(Schedule.Batch batch, Measurement m, int failures, int measurements, Instant start, Event.Outcome outcome) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verdict", switch (m.kind()) {
            case PASS -> "pass";
            case FAIL -> "fail";
            case INCONCLUSIVE -> "inconclusive";
        });
        fields.put("batch", batch.number());
        fields.put("successRate", m.switched().successRate());
        fields.put("baselineSuccessRate", m.baseline() == null ? null : m.baseline().successRate());
        fields.put("p99Ms", tenths(m.switched().latencyMs()));
        fields.put("baselineP99Ms", m.baseline() == null ? null : tenths(m.baseline().latencyMs()));
        fields.put("requests", m.switched().requests());
        fields.put("baselineRequests", m.baseline() == null ? null : m.baseline().requests());
        fields.put("failedRequests", m.switched().failed());
        fields.put("reason", m.reason());
        fields.put("successRateMin", spec.successRate());
        fields.put("p99MaxMs", spec.p99() == null ? null : spec.p99().toMillis());
        fields.put("compareTo", spec.compareTo().yaml());
        fields.put("minRequests", spec.minRequests());
        fields.put("failureLimit", spec.failureLimit());
        fields.put("failures", failures);
        fields.put("measurements", measurements);
        fields.put("latencyMeasure", source.latencyMeasure());
        events.emit(Step.ANALYSIS, outcome, Duration.between(start, clock.now()),
                label(batch) + ": " + fields.get("verdict") + " — " + m.reason(), fields);
    }

    private static Double tenths(Double ms) {
        return ms == null ? null : Math.round(ms * 10) / 10.0;
    }

    private static String label(Schedule.Batch batch) {
        return batch.canary() ? "the canary" : "batch " + batch.number();
    }

    private static String percent(double fraction) {
        return String.format("%.2f%%", fraction * 100);
    }
}
