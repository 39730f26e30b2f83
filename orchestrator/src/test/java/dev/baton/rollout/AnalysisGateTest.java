package dev.baton.rollout;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate alone, on a fake clock: web-1 runs the version under test, web-2 and web-3 the baseline. */
class AnalysisGateTest {
    private final FakeClock clock = new FakeClock();
    private final FakeFleet fleet = new FakeFleet(clock, 3);
    private final RecordingEvents events = new RecordingEvents(fleet);
    private final RolloutControl control = new RolloutControl();
    private final Schedule.Batch canary = new Schedule.Batch(0, List.of(fleet.instances.get("web-1")), true, null);

    private Verdict judge(String analysis, double errorRate, double latencyMs, double baselineErrorRate) throws InterruptedException {
        fleet.versions.put("web-1", "2.0.0");
        FakeTraffic traffic = new FakeTraffic(fleet, 100, version -> version.equals("2.0.0")
                ? new FakeTraffic.Behaviour(errorRate, latencyMs) : new FakeTraffic.Behaviour(baselineErrorRate, 5));
        return judge(analysis, traffic);
    }

    private Verdict judge(String analysis, TrafficSource traffic) throws InterruptedException {
        Plan plan = new PlanLoader().parse("p.yaml", RolloutStrategyTest.BASE
                + "loadBalancer: { haproxy: { runtime: \"unix:/fake\", backend: app } }\nanalysis: " + analysis + "\n");
        RolloutEvents rolloutEvents = new RolloutEvents(events, clock);
        return new AnalysisGate(plan.analysis(), traffic, control, new Pauses(control, Duration.ofDays(1), clock, rolloutEvents),
                clock, rolloutEvents).judge(canary, List.of(fleet.instances.get("web-1")),
                List.of(fleet.instances.get("web-2"), fleet.instances.get("web-3")));
    }

    private Event analysisEvent() {
        List<Event> analysis = events.events.stream().filter(e -> e.step() == Step.ANALYSIS).toList();
        assertThat(analysis).hasSize(1);
        return analysis.get(0);
    }

    @Test
    void fivePercentErrorsAgainstACleanBaselineFailAfterFailureLimitPlusOneMeasurements() throws Exception {
        Verdict verdict = judge("{ interval: 10s, window: 1m, failureLimit: 1 }", 0.05, 5, 0);

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.ROLLBACK);
        assertThat(verdict.reason()).startsWith("analysis of the canary failed: success rate 95.00% < 99.50% (10 of 200 requests failed)"
                + " and below the baseline's 100.00% by more than 0.50 points");
        assertThat(clock.since(Instant0.AT)).isEqualTo(Duration.ofSeconds(20));
        Event event = analysisEvent();
        assertThat(event.outcome()).isEqualTo(Event.Outcome.FAILED);
        assertThat(event.host()).isNull();
        assertThat(event.fields()).containsEntry("verdict", "fail").containsEntry("batch", 0)
                .containsEntry("successRate", 0.95).containsEntry("baselineSuccessRate", 1.0)
                .containsEntry("requests", 200L).containsEntry("baselineRequests", 400L)
                .containsEntry("p99Ms", 5.0).containsEntry("baselineP99Ms", 5.0)
                .containsEntry("successRateMin", 0.995).containsEntry("failures", 2).containsEntry("failureLimit", 1)
                .containsKey("reason");
    }

    @Test
    void aGoodReleasePassesAtTheEndOfTheWindow() throws Exception {
        Verdict verdict = judge("{ interval: 10s, window: 1m, p99: \"<= 100ms\" }", 0, 5, 0);

        assertThat(verdict).isEqualTo(Verdict.CONTINUE);
        assertThat(clock.since(Instant0.AT)).isEqualTo(Duration.ofMinutes(1));
        Event event = analysisEvent();
        assertThat(event.outcome()).isEqualTo(Event.Outcome.OK);
        assertThat(event.fields()).containsEntry("verdict", "pass").containsEntry("requests", 600L).containsEntry("p99MaxMs", 100L);
        assertThat(event.detail()).isEqualTo("the canary: pass — success rate 100.00% over 600 requests, latency 5 ms "
                + "(baseline 100.00% over 1200 requests)");
    }

    @Test
    void slowerThanTheBoundAndTheBaselineFails() throws Exception {
        Verdict verdict = judge("{ interval: 10s, window: 1m, p99: \"<= 100ms\" }", 0, 205, 0);

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.ROLLBACK);
        assertThat(verdict.reason()).contains("latency 205 ms > 100 ms and above 1.2× the baseline's 5 ms");
    }

    @Test
    void aFleetWideProblemIsNotTheReleasesFaultWhenComparedToTheBaselineButFailsAbsoluteThresholds() throws Exception {
        assertThat(judge("{ interval: 10s, window: 30s }", 0.03, 5, 0.03)).isEqualTo(Verdict.CONTINUE);
        events.events.clear();
        assertThat(judge("{ interval: 10s, window: 30s, compareTo: absolute }", 0.03, 5, 0.03).kind()).isEqualTo(Verdict.Kind.ROLLBACK);
        assertThat(analysisEvent().fields()).containsEntry("baselineSuccessRate", null).containsEntry("compareTo", "absolute");
    }

    @Test
    void tooFewRequestsIsInconclusiveNeitherPassNorFail() throws Exception {
        Verdict verdict = judge("{ interval: 10s, window: 30s, minRequests: 1000, onInconclusive: rollback }", 0, 5, 0);

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.ROLLBACK);
        assertThat(verdict.reason()).isEqualTo("analysis of the canary inconclusive: only 300 requests on the switched instances, "
                + "fewer than minRequests 1000");
        assertThat(analysisEvent().outcome()).isEqualTo(Event.Outcome.SKIPPED);
        assertThat(analysisEvent().fields()).containsEntry("verdict", "inconclusive");
        events.events.clear();
        assertThat(judge("{ interval: 10s, window: 30s, minRequests: 1000, onInconclusive: continue }", 0.5, 5, 0))
                .isEqualTo(Verdict.CONTINUE);
    }

    @Test
    void inconclusiveByDefaultPausesForAnOperatorWhoseResumeAccepts() throws Exception {
        Thread operator = new Thread(() -> {
            while (!control.paused()) Thread.onSpinWait();
            control.send(RolloutControl.Command.RESUME);
        });
        operator.start();
        Verdict verdict = judge("{ interval: 10s, window: 30s, minRequests: 1000 }", 0, 5, 0);
        operator.join();

        assertThat(verdict).isEqualTo(Verdict.CONTINUE);
        assertThat(events.events).anyMatch(e -> e.step() == Step.PAUSE && e.detail().contains("resume accepts the release"));
    }

    @Test
    void anUnreadableLoadBalancerIsInconclusiveNeverAPass() throws Exception {
        FakeTraffic traffic = new FakeTraffic(fleet, 100, v -> new FakeTraffic.Behaviour(0, 5));
        traffic.unreadable = true;
        Verdict verdict = judge("{ interval: 10s, window: 30s, onInconclusive: rollback }", traffic);

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.ROLLBACK);
        assertThat(verdict.reason()).contains("no measurement: the load balancer's traffic could not be read "
                + "(HAProxy runtime API at unix:/fake is unreachable)");
    }

    @Test
    void theOperatorCanRollBackWhileTheGateMeasures() throws Exception {
        control.send(RolloutControl.Command.ROLLBACK);
        assertThat(judge("{ interval: 10s, window: 1m }", 0, 5, 0).kind()).isEqualTo(Verdict.Kind.ROLLBACK);
    }

    /** The fake clock's start. */
    private static final class Instant0 {
        static final java.time.Instant AT = java.time.Instant.parse("2026-01-01T00:00:00Z");
    }
}
