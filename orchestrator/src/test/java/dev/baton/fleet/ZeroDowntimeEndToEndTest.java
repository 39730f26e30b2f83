package dev.baton.fleet;

import dev.baton.rollout.Step;
import dev.baton.bench.HeyLoad;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The headline promise: a rollout under steady load through a real HAProxy fails no request. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZeroDowntimeEndToEndTest {
    private static LocalFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0", true);
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) fleet.close();
    }

    @Test
    @Order(1)
    void stopStartWithVerifiedPropagationFailsNoRequest() throws Exception {
        LoadResult load = rolloutUnderLoad("2.0.0",
                "drain: { propagation: { verify: [consul, loadBalancer, traffic], quietPeriod: 300ms, timeout: 30s } }\n", null);

        assertThat(load.result.succeeded()).as(load.result.summary()).isTrue();
        assertThat(load.report.failed()).as(load.report.errors()).isZero();
        assertThat(load.report.requests()).isGreaterThan(300);
        assertThat(load.events).anyMatch(e -> e.step() == Step.PROPAGATE && e.outcome() == Event.Outcome.OK
                && e.detail().startsWith("verified: consul") && e.detail().contains("loadBalancer") && e.detail().contains("traffic"));
    }

    @Test
    @Order(2)
    void handoffKeepingInstancesInRotationFailsNoRequest() throws Exception {
        LoadResult load = rolloutUnderLoad("3.0.0", "drain: { mode: none }\n", "handoff");

        assertThat(load.result.succeeded()).as(load.result.summary()).isTrue();
        assertThat(load.report.failed()).as(load.report.errors()).isZero();
        assertThat(load.report.requests()).isGreaterThan(300);
        assertThat(load.events).filteredOn(e -> e.step() == Step.LEAVE).allMatch(e -> e.outcome() == Event.Outcome.SKIPPED);
    }

    private record LoadResult(RolloutResult result, HeyLoad.Report report, List<Event> events) {
    }

    private static LoadResult rolloutUnderLoad(String version, String drain, String strategy) throws Exception {
        Path file = fleet.writePlan(version, drain);
        String text = Files.readString(file).replaceAll("(?m)^drain:\\n(  .*\\n)+", "");
        if (strategy != null) text = text.replace("strategy: stop-start", "strategy: " + strategy);
        Files.writeString(file, text);
        Plan plan = new PlanLoader().load(file);
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null,
                fleet.agentToken(), event -> {
                    events.add(event);
                    System.out.println(event);
                }));
        fleet.awaitLoadBalancerRoutesToAll();
        RolloutResult result;
        HeyLoad.Report report;
        try (HeyLoad load = new HeyLoad(fleet.loadBalancerUrl() + "/", 10, 50, 120,
                fleet.workDir().resolve("hey-" + version + ".txt"))) {
            Thread.sleep(300);
            result = engine.run(plan);
            Thread.sleep(300);
            report = load.stop();
        }
        System.out.println(Files.readString(fleet.workDir().resolve("hey-" + version + ".txt")));
        return new LoadResult(result, report, events);
    }
}
