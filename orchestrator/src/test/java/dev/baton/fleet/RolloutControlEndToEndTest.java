package dev.baton.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.rollout.Step;
import dev.baton.hooks.CommandHookRunner;
import dev.baton.hooks.DeployHooks;
import dev.baton.hooks.HooksFile;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.Journal;
import dev.baton.rollout.RolloutControl;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.store.Redactor;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Capacity guard, canary and hooks on a real fleet (Consul, agents, demo apps). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutControlEndToEndTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
    private static LocalFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = LocalFleet.start("web", 4, "1.0.0");
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) fleet.close();
    }

    @Test
    @Order(1)
    void theCapacityGuardHoldsWhenAnInstanceIsAlreadyUnhealthy() throws Exception {
        maintenance("web-4", true);
        try {
            Plan plan = plan("2.0.0", "strategy: { minHealthy: 3, capacityWait: 2s, onFailure: abort }\n");
            List<Event> events = Collections.synchronizedList(new ArrayList<>());

            RolloutResult result = engine(plan, events).run(plan);

            assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
            assertThat(result.summary()).contains("capacity guard: taking web-1 out would leave 2 passing, below minHealthy 3");
            assertThat(events).noneMatch(e -> e.step() == Step.LEAVE);
            assertThat(passing()).containsExactlyInAnyOrder("web-1", "web-2", "web-3");
            for (LocalFleet.Host host : fleet.hosts()) assertThat(version(host)).isEqualTo("1.0.0");
        } finally {
            maintenance("web-4", false);
        }
    }

    @Test
    @Order(2)
    void theCanaryWaitsForPromotionThenTheRestFollowsInBatches() throws Exception {
        Plan plan = plan("2.0.0", "strategy: { canary: 1, batch: 2, maxUnavailable: 1 }\n");
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutControl control = new RolloutControl();

        CompletableFuture<RolloutResult> rollout = CompletableFuture.supplyAsync(() -> engine(plan, events).run(plan, control, Journal.NONE));
        await().atMost(Duration.ofSeconds(60)).until(() -> events.stream().anyMatch(e -> e.step() == Step.CANARY));
        assertThat(version(fleet.hosts().get(0))).isEqualTo("2.0.0");
        Thread.sleep(2000);
        assertThat(rollout).isNotDone();
        for (LocalFleet.Host host : fleet.hosts().subList(1, 4)) assertThat(version(host)).isEqualTo("1.0.0");
        assertThat(passing()).hasSize(4);

        control.send(RolloutControl.Command.PROMOTE);
        RolloutResult result = rollout.get(2, TimeUnit.MINUTES);

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(events.stream().filter(e -> e.step() == Step.BATCH && e.outcome() == Event.Outcome.STARTED).map(Event::detail))
                .containsExactly("canary: web-1", "batch 1: web-2, web-3", "batch 2: web-4");
        for (LocalFleet.Host host : fleet.hosts()) assertThat(version(host)).isEqualTo("2.0.0");
        assertThat(passing()).hasSize(4);
    }

    @Test
    @Order(3)
    void hooksRunInOrderOnTheRightHosts() throws Exception {
        Path log = fleet.workDir().resolve("hooks.log");
        String append = " >> " + log;
        Plan plan = plan("3.0.0", """
                hooks:
                  beforeDeploy: [deploy-start]
                  beforeHost: ["echo before $BATON_HOST $(basename $(dirname $(dirname $PWD)))%1$s"]
                  afterHost: [{ command: "echo after $BATON_HOST $(curl -s http://$BATON_HOST_ADDRESS:8080/version)%1$s", timeout: 10s }]
                  afterDeploy: [deploy-done]
                """.formatted(append));
        // deploy hooks are the admin's: a shell here is the admin's choice, never the plan's
        DeployHooks deployHooks = HooksFile.load(Files.writeString(fleet.workDir().resolve("hooks.yaml"), """
                deploy-start: { command: [/bin/sh, -c, "echo deploy-start $BATON_VERSION%1$s"] }
                deploy-done: { command: [/bin/sh, -c, "echo deploy-done%1$s"] }
                """.formatted(append)));

        RolloutResult result = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, fleet.agentToken(),
                new CommandHookRunner(deployHooks, new Redactor(List.of(fleet.agentToken()))), System.out::println)).run(plan);

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(Files.readAllLines(log)).containsExactly("deploy-start 3.0.0",
                "before web-1 host-1", "after web-1 3.0.0", "before web-2 host-2", "after web-2 3.0.0",
                "before web-3 host-3", "after web-3 3.0.0", "before web-4 host-4", "after web-4 3.0.0", "deploy-done");
    }

    private static Plan plan(String version, String extra) throws Exception {
        return new PlanLoader().load(fleet.writePlan(version, extra));
    }

    private static RolloutEngine engine(Plan plan, List<Event> events) {
        return new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, fleet.agentToken(), event -> {
            events.add(event);
            System.out.println(event);
        }));
    }

    private static void maintenance(String id, boolean enable) throws IOException {
        Request request = new Request.Builder().url(fleet.consulAddress() + "/v1/agent/service/maintenance/" + id
                + "?enable=" + enable + "&reason=test").put(RequestBody.create(new byte[0])).build();
        try (Response response = HTTP.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> passing().contains(id) != enable);
    }

    private static List<String> passing() throws IOException {
        List<String> ids = new ArrayList<>();
        try (Response response = HTTP.newCall(new Request.Builder().url(fleet.consulAddress() + "/v1/health/service/web?passing=true").build()).execute()) {
            JsonNode body = MAPPER.readTree(response.body().string());
            body.forEach(e -> ids.add(e.path("Service").path("ID").asText()));
        }
        return ids;
    }

    private static String version(LocalFleet.Host host) throws IOException {
        try (Response response = HTTP.newCall(new Request.Builder().url(host.appUrl() + "/version").build()).execute()) {
            return response.body().string().strip();
        }
    }
}
