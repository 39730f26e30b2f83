package dev.baton.rollout;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The analysis gate inside the rollout loop: after the canary and after every batch, with TRAFFIC events beside. */
class AnalysisRolloutTest {
    private static final String GATE = """
            loadBalancer: { haproxy: { runtime: "unix:/fake", backend: app } }
            strategy: { canary: 1, batch: 1 }
            analysis: { interval: 10s, window: 30s, successRate: ">= 99%", minRequests: 50, promote: auto }
            """;

    private final FakeClock clock = new FakeClock();
    private final FakeFleet fleet = new FakeFleet(clock, 3);
    private final RecordingEvents events = new RecordingEvents(fleet);

    private RolloutResult roll(String version, String yaml, double errorRateOfNewVersion) {
        FakeTraffic traffic = new FakeTraffic(fleet, 100, v -> new FakeTraffic.Behaviour(v.equals(version) ? errorRateOfNewVersion : 0, 5));
        Plan plan = new PlanLoader().parse("plan.yaml", RolloutStrategyTest.BASE.replace("2.0.0", version) + yaml);
        return new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, events, traffic)).run(plan);
    }

    private List<Event> analyses() {
        return events.events.stream().filter(e -> e.step() == Step.ANALYSIS).toList();
    }

    @Test
    void aReleaseFailingFivePercentIsRolledBackAfterTheCanaryWithTheNumbersInTheEvent() {
        RolloutResult result = roll("2.0.0", GATE, 0.05);

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(result.summary()).contains("analysis of the canary failed: success rate 95.00% < 99.00%");
        assertThat(analyses()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Event.Outcome.FAILED);
            assertThat(e.fields()).containsEntry("batch", 0).containsEntry("successRate", 0.95).containsEntry("baselineSuccessRate", 1.0);
        });
        assertThat(fleet.versions).containsValues("1.0.0", "1.0.0", "1.0.0");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("restart web-2") || c.startsWith("restart web-3"));
    }

    @Test
    void aGoodReleaseIsPromotedWithoutAnOperatorAndJudgedAfterEveryBatch() {
        RolloutResult result = roll("2.0.0", GATE, 0);

        assertThat(result.status()).as(result.summary()).isEqualTo(RolloutResult.Status.SUCCEEDED);
        assertThat(analyses()).extracting(e -> e.fields().get("batch"), Event::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, Event.Outcome.OK), org.assertj.core.groups.Tuple.tuple(1, Event.Outcome.OK),
                org.assertj.core.groups.Tuple.tuple(2, Event.Outcome.OK));
        // after the last batch nothing is left on the previous release: absolute thresholds
        assertThat(analyses().get(2).fields()).containsEntry("baselineSuccessRate", null);
        assertThat(events.events).noneMatch(e -> e.step() == Step.CANARY);
    }

    @Test
    void withoutPromoteAutoAPassingCanaryStillWaitsForTheCanaryGate() {
        RolloutResult result = roll("2.0.0", GATE.replace(", promote: auto", "").replace("batch: 1 }", "batch: 1, maxPause: 1m }"), 0);

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(result.summary()).contains("canaries not promoted within 1m00s");
        assertThat(analyses()).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo(Event.Outcome.OK));
    }

    @Test
    void trafficEventsCarryTheTotalsAndEachInstance() {
        roll("2.0.0", GATE, 0);

        Event last = events.events.stream().filter(e -> e.step() == Step.TRAFFIC).reduce((a, b) -> b).orElseThrow();
        assertThat(last.host()).isNull();
        assertThat(last.outcome()).isEqualTo(Event.Outcome.OK);
        assertThat(last.fields()).containsKeys("requests", "failed", "rps", "failedPerS", "passing", "outOfRotation", "instances");
        assertThat((long) last.fields().get("requests")).isPositive();
        assertThat(last.fields()).containsEntry("failed", 0L).containsEntry("passing", 3).containsEntry("outOfRotation", 0);
        @SuppressWarnings("unchecked")
        java.util.Map<String, java.util.Map<String, Object>> instances = (java.util.Map<String, java.util.Map<String, Object>>) last.fields().get("instances");
        assertThat(instances).containsOnlyKeys("web-1", "web-2", "web-3");
        assertThat(instances.get("web-1")).containsKeys("rps", "errorRate", "rtimeMs");
        // the last TRAFFIC event comes before the rollout's end
        assertThat(events.last().step()).isEqualTo(Step.ROLLOUT);
    }

    @Test
    void aLoadBalancerThatHangsNeverHoldsTheRolloutUp() {
        TrafficSource hanging = () -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new StepFailure("HAProxy runtime API at unix:/fake did not answer within 3000 ms");
        };
        Plan plan = new PlanLoader().parse("plan.yaml", RolloutStrategyTest.BASE
                + "loadBalancer: { haproxy: { runtime: \"unix:/fake\", backend: app } }\n");
        long start = System.nanoTime();
        RolloutResult result = new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, events, hanging)).run(plan);

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(2));
        assertThat(events.events).noneMatch(e -> e.step() == Step.TRAFFIC);
    }

    @Test
    void aGateWithoutATrafficSourceChangesNothing() {
        Plan plan = new PlanLoader().parse("plan.yaml", RolloutStrategyTest.BASE + GATE);
        RolloutResult result = new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, events)).run(plan);

        assertThat(result.status()).isEqualTo(RolloutResult.Status.FAILED);
        assertThat(result.summary()).isEqualTo("the analysis gate needs a traffic source (the load balancer or Prometheus), and none is configured; nothing was changed");
        assertThat(fleet.versions).containsValues("1.0.0", "1.0.0", "1.0.0");
    }
}
