package dev.baton.fleet;

import dev.baton.bench.HeyLoad;
import dev.baton.lb.HaproxyRuntime;
import dev.baton.lb.HaproxyTraffic;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.Step;
import dev.baton.rollout.TrafficSample;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analysis gate on the real fleet (Consul, HAProxy, agents) under load through HAProxy: a release that
 * answers /healthz but fails 5% of requests is rolled back after the canary; a good one is promoted and finishes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnalysisEndToEndTest {
    private static final String GATE = """
            strategy: { canary: 1, batch: 1 }
            analysis: { interval: 2s, window: 10s, successRate: ">= 99%", minRequests: 100, failureLimit: 1, promote: auto }
            """;
    private static LocalFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0", true);
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) fleet.close();
    }

    private record Run(RolloutResult result, HeyLoad.Report load, List<Event> events) {
        List<Event> of(Step step) {
            return events.stream().filter(e -> e.step() == step).toList();
        }
    }

    private static Run rollUnderLoad(String version) throws Exception {
        Plan plan = new PlanLoader().load(fleet.writePlan(version, GATE));
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null,
                fleet.agentToken(), event -> {
                    events.add(event);
                    if (event.step() != Step.TRAFFIC) System.out.println(event);
                }));
        fleet.awaitLoadBalancerRoutesToAll();
        try (HeyLoad load = new HeyLoad(fleet.loadBalancerUrl() + "/", 6, 50, 180, fleet.workDir().resolve("hey-" + version + ".txt"))) {
            Thread.sleep(300);
            RolloutResult result = engine.run(plan);
            return new Run(result, load.stop(), events);
        }
    }

    @Test
    @Order(1)
    void theRealTrafficTableReadsEveryHostAndItsRequests() throws Exception {
        TrafficSample sample = new HaproxyTraffic(new HaproxyRuntime(fleet.loadBalancerRuntime()), Haproxy.BACKEND).sample();
        List<String> hosts = fleet.hosts().stream().map(h -> h.address() + ":" + LocalFleet.APP_PORT).toList();
        assertThat(sample.servers().stream().filter(TrafficSample.Server::up).map(TrafficSample.Server::endpoint))
                .containsExactlyInAnyOrderElementsOf(hosts);
    }

    @Test
    @Order(2)
    void aReleaseFailingFivePercentThatPassesHealthzIsRolledBackAfterTheCanary() throws Exception {
        Run run = rollUnderLoad("2.0.0-fail5");

        assertThat(run.result().status()).as(run.result().summary()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(run.result().summary()).contains("analysis of the canary failed: success rate");
        Event analysis = run.of(Step.ANALYSIS).get(0);
        assertThat(run.of(Step.ANALYSIS)).hasSize(1);
        assertThat(analysis.outcome()).isEqualTo(Event.Outcome.FAILED);
        assertThat(analysis.fields()).containsEntry("verdict", "fail").containsEntry("batch", 0);
        assertThat((double) analysis.fields().get("successRate")).isBetween(0.94, 0.96);
        assertThat((double) analysis.fields().get("baselineSuccessRate")).isEqualTo(1.0);
        assertThat((long) analysis.fields().get("requests")).isGreaterThanOrEqualTo(100);
        // only the canary ever ran the bad release
        assertThat(run.events()).filteredOn(e -> e.step() == Step.RESTART && e.outcome() == Event.Outcome.OK
                && "2.0.0-fail5".equals(e.version())).hasSize(1);
        assertThat(run.load().failed()).as("requests failed by the bad canary").isPositive();
        assertTraffic(run);
    }

    @Test
    @Order(3)
    void aGoodReleaseUnderTheSameGateIsPromotedAndFinishes() throws Exception {
        Run run = rollUnderLoad("2.0.1");

        assertThat(run.result().status()).as(run.result().summary()).isEqualTo(RolloutResult.Status.SUCCEEDED);
        assertThat(run.of(Step.ANALYSIS)).extracting(e -> e.fields().get("verdict")).containsExactly("pass", "pass", "pass");
        assertThat(run.of(Step.CANARY)).isEmpty();
        assertThat(run.load().failed()).as(run.load().errors()).isZero();
        assertTraffic(run);
        Event last = run.of(Step.TRAFFIC).get(run.of(Step.TRAFFIC).size() - 1);
        assertThat(last.fields()).containsEntry("failed", 0L);
    }

    private static void assertTraffic(Run run) {
        List<Event> traffic = run.of(Step.TRAFFIC);
        assertThat(traffic.size()).isGreaterThan(5);
        Event last = traffic.get(traffic.size() - 1);
        assertThat(last.host()).isNull();
        assertThat((long) last.fields().get("requests")).isGreaterThan(1000);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> instances = (Map<String, Map<String, Object>>) last.fields().get("instances");
        assertThat(instances).containsOnlyKeys("web-1", "web-2", "web-3");
        // the event log's own totals and what the load generator saw agree within the requests in flight at the edges
        assertThat((long) last.fields().get("requests")).isBetween(run.load().requests() * 8 / 10, run.load().requests() * 11 / 10);
    }
}
