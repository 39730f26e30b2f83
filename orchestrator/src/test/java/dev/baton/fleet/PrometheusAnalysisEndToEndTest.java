package dev.baton.fleet;

import dev.baton.bench.HeyLoad;
import dev.baton.metrics.RealPrometheus;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.Step;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analysis gate reading a real Prometheus (Debian package) that scrapes the demo apps' /metrics: a release 200 ms
 * slower on every request is rolled back by its real p99 (from the duration histogram); a good one finishes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusAnalysisEndToEndTest {
    private static LocalFleet fleet;
    private static RealPrometheus prometheus;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0", true);
        prometheus = RealPrometheus.scraping("web", fleet.hosts().stream().map(h -> h.address() + ":" + LocalFleet.APP_PORT).toList());
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) prometheus.close();
        if (fleet != null) fleet.close();
    }

    private static String gate() {
        return """
                strategy: { canary: 1, batch: 1 }
                analysis:
                  source: prometheus
                  interval: 2s
                  window: 10s
                  successRate: ">= 99%%"
                  p99: "<= 100ms"
                  minRequests: 100
                  failureLimit: 1
                  promote: auto
                  onInconclusive: rollback
                  prometheus:
                    url: %s
                    requests: sum by (instance) (demo_http_requests_total)
                    failed: sum by (instance) (demo_http_requests_total{code=~"5.."})
                    p99Ms: 1000 * histogram_quantile(0.99, sum by (instance, le) (rate(demo_http_request_duration_seconds_bucket[5s])))
                """.formatted(prometheus.url());
    }

    private static List<Event> roll(String version, RolloutResult[] result) throws Exception {
        Plan plan = new PlanLoader().load(fleet.writePlan(version, gate()));
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null,
                fleet.agentToken(), event -> {
                    events.add(event);
                    if (event.step() != Step.TRAFFIC) System.out.println(event);
                }));
        fleet.awaitLoadBalancerRoutesToAll();
        try (HeyLoad load = new HeyLoad(fleet.loadBalancerUrl() + "/", 20, 10, 180, fleet.workDir().resolve("hey-" + version + ".txt"))) {
            Thread.sleep(300);
            result[0] = engine.run(plan);
            load.stop();
        }
        return events.stream().filter(e -> e.step() == Step.ANALYSIS).toList();
    }

    @Test
    @Order(1)
    void aReleaseSlowerOnEveryRequestIsRolledBackByItsRealP99() throws Exception {
        RolloutResult[] result = new RolloutResult[1];
        List<Event> analyses = roll("2.0.0-slow200ms", result);

        assertThat(result[0].status()).as(result[0].summary()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(analyses).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Event.Outcome.FAILED);
            assertThat(e.fields()).containsEntry("batch", 0);
            assertThat((double) e.fields().get("p99Ms")).isBetween(190.0, 400.0);
            assertThat((double) e.fields().get("baselineP99Ms")).isLessThan(60.0);
            assertThat((String) e.fields().get("latencyMeasure")).startsWith("Prometheus: 1000 * histogram_quantile(0.99");
        });
    }

    @Test
    @Order(2)
    void aGoodReleaseIsPromotedAndFinishes() throws Exception {
        RolloutResult[] result = new RolloutResult[1];
        List<Event> analyses = roll("2.0.1", result);

        assertThat(result[0].status()).as(result[0].summary()).isEqualTo(RolloutResult.Status.SUCCEEDED);
        assertThat(analyses).extracting(e -> e.fields().get("verdict")).containsExactly("pass", "pass", "pass");
    }
}
