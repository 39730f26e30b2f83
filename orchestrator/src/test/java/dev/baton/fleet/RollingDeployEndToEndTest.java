package dev.baton.fleet;

import dev.baton.rollout.Step;
import dev.baton.rollout.HostState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Real Consul, real agents, real demo apps: the rollout as an operator would run it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingDeployEndToEndTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
    private static LocalFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0");
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) fleet.close();
    }

    @Test
    @Order(1)
    void aWrongChecksumFailsTheRolloutWithExitCode1BeforeAnyHostLeaves() throws Exception {
        Path good = fleet.writePlan("2.0.0", null);
        Path plan = good.resolveSibling("bad-sha.yaml");
        Files.writeString(plan, Files.readString(good).replaceAll("sha256: [0-9a-f]{64}", "sha256: " + "0".repeat(64)));

        Cli run = cli("apply", plan.toString(), "--wait");

        assertThat(run.exit).as(run.output).isEqualTo(1);
        assertThat(run.output).contains("PREPARE   FAILED").contains("sha256 mismatch").contains("rollout FAILED")
                .contains("PREPARE failed on 3 host(s), nothing was changed").doesNotContain("LEAVE");
        assertThat(passing()).containsExactlyInAnyOrder("web-1", "web-2", "web-3");
        for (LocalFleet.Host host : fleet.hosts()) assertThat(version(host)).isEqualTo("1.0.0");
    }

    @Test
    @Order(2)
    void anInvalidPlanExitsWith2AndOneClearLine() throws Exception {
        Path plan = fleet.workDir().resolve("invalid.yaml");
        Files.writeString(plan, "service: web\nversion: 2.0.0\nartifact: { url: http://x/y, sha256: abc }\n");

        Cli run = cli("apply", plan.toString());

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).isEqualTo("baton: " + plan + ":3:38: artifact.sha256: \"abc\" is not valid "
                + "(64 hex digits: the sha256 of the artifact)");
    }

    @Test
    @Order(3)
    void rollsThreeHostsFromV1ToV2OneAtATimeAndRestoresTheExactRegistrations() throws Exception {
        Map<String, JsonNode> before = registrations();
        Plan plan = new PlanLoader().load(fleet.writePlan("2.0.0", null));
        List<Event> events = Collections.synchronizedList(new ArrayList<>());

        RolloutResult result;
        try (ConsulWatcher watcher = new ConsulWatcher(fleet.consulAddress(), "web")) {
            result = engine(plan, events).run(plan);
            Thread.sleep(300);
            watcher.close();
            List<Set<String>> states = watcher.states();
            assertThat(states).allSatisfy(ids -> assertThat(ids.size()).isGreaterThanOrEqualTo(2));
            for (String id : List.of("web-1", "web-2", "web-3")) {
                assertThat(states).as("Consul saw %s out at some moment", id).anyMatch(ids -> !ids.contains(id));
            }
        }

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        for (LocalFleet.Host host : fleet.hosts()) {
            List<String> steps = events.stream().filter(e -> host.serviceId().equals(e.host()))
                    .map(e -> e.step() + " " + e.outcome()).toList();
            assertThat(steps).containsExactly("PREPARE STARTED", "PREPARE OK", "LEAVE STARTED", "LEAVE OK", "PROPAGATE STARTED", "PROPAGATE OK",
                    "RESTART STARTED", "RESTART OK", "CHECK STARTED", "CHECK OK", "JOIN STARTED", "JOIN OK");
            assertThat(version(host)).isEqualTo("2.0.0");
        }
        assertThat(passing()).containsExactlyInAnyOrder("web-1", "web-2", "web-3");
        assertThat(registrations()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void aReleaseThatNeverTurnsHealthyIsRolledBackLeavingTheWholeFleetOnThePreviousVersion() throws Exception {
        Path planFile = fleet.writePlan("3.0.0-broken", "");
        Files.writeString(planFile, Files.readString(planFile).replace("deadline: 30s", "deadline: 3s"));
        Plan plan = new PlanLoader().load(planFile);
        List<Event> events = Collections.synchronizedList(new ArrayList<>());

        RolloutResult result = engine(plan, events).run(plan);

        assertThat(result.status()).as(result.summary()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(result.summary()).contains("app not ready after 3s: last answer 503");
        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.ROLLED_BACK);
        assertThat(events).anyMatch(e -> "web-1".equals(e.host()) && e.step() == Step.PARK);
        assertThat(events).noneMatch(e -> "web-2".equals(e.host()) && e.step() != Step.PREPARE);
        assertThat(passing()).containsExactlyInAnyOrder("web-1", "web-2", "web-3");
        for (LocalFleet.Host host : fleet.hosts()) assertThat(version(host)).isEqualTo("2.0.0");
        JsonNode checks = get(fleet.consulAddress() + "/v1/agent/checks");
        assertThat(checks.has("_service_maintenance:web-1")).isFalse();
    }

    @Test
    @Order(5)
    void anOrchestratorStoppedMidStepPutsTheInstanceBackBeforeItExits() throws Exception {
        maintenanceOff("web-1");
        Path planFile = fleet.writePlan("4.0.0", "");
        Files.writeString(planFile, Files.readString(planFile).replace("propagation: { verify: [consul],",
                "propagation: { verify: [consul], minWait: 20s,").replace("timeout: 30s }", "timeout: 40s }"));
        List<String> command = new ArrayList<>(List.of(DemoMain.javaBinary(), "-cp", System.getProperty("java.class.path"),
                "dev.baton.cli.BatonMain", "apply", planFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(fleet.workDir().resolve("interrupted.log").toFile());
        builder.environment().put("BATON_AGENT_TOKEN", fleet.agentToken());
        Process cli = builder.start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> passing().size() == 2);
            cli.destroy();
            assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            cli.destroyForcibly();
        }
        String output = Files.readString(fleet.workDir().resolve("interrupted.log"));
        assertThat(output).contains("PROPAGATE FAILED").contains("RESTORE   ok");
        assertThat(passing()).containsExactlyInAnyOrder("web-1", "web-2", "web-3");
    }

    @Test
    @Order(6)
    void planPrintsTheScheduleAndTheBoundsWithoutChangingAnything() throws Exception {
        Path planFile = fleet.writePlan("5.0.0", "strategy: { canary: 1, batch: 2 }\nhooks: { afterHost: [\"./smoke\"] }\n");

        Cli run = cli("plan", planFile.toString());

        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("web -> 5.0.0: 3 instances from Consul at " + fleet.consulAddress())
                .contains("canary  web-1").contains("then wait for `baton promote`").contains("batch 1  web-2, web-3")
                .contains("PROPAGATE   until consul agree it is out; at least 0ms, at most 30.0s")
                .contains("CHECK       GET /healthz -> 200, every 100ms, within 30.0s")
                .contains("AFTER_HOST  `./smoke` on the host (at most 30.0s)")
                .contains("nothing was changed");
        assertThat(passing()).containsExactlyInAnyOrder("web-1", "web-2", "web-3");
        for (LocalFleet.Host host : fleet.hosts()) assertThat(version(host)).isNotEqualTo("5.0.0");
    }

    private static void maintenanceOff(String id) throws IOException {
        okhttp3.Request request = new okhttp3.Request.Builder().url(fleet.consulAddress() + "/v1/agent/service/maintenance/" + id
                + "?enable=false").put(okhttp3.RequestBody.create(new byte[0])).build();
        try (Response response = HTTP.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
    }

    private static RolloutEngine engine(Plan plan, List<Event> events) {
        return new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, fleet.agentToken(), event -> {
            events.add(event);
            System.out.println(event);
        }));
    }

    /** The full registration of each instance as its agent holds it, with its checks' definitions. */
    private static Map<String, JsonNode> registrations() throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        JsonNode checks = get(fleet.consulAddress() + "/v1/agent/checks");
        for (LocalFleet.Host host : fleet.hosts()) {
            var entry = MAPPER.createObjectNode();
            entry.set("service", get(fleet.consulAddress() + "/v1/agent/service/" + host.serviceId()));
            var definitions = MAPPER.createArrayNode();
            checks.forEach(c -> {
                if (c.path("ServiceID").asText().equals(host.serviceId())) {
                    String output = c.path("Output").asText();
                    definitions.add(MAPPER.createObjectNode().put("CheckID", c.path("CheckID").asText())
                            .put("Name", c.path("Name").asText()).put("Type", c.path("Type").asText())
                            .put("Interval", c.path("Interval").asText()).put("Timeout", c.path("Timeout").asText())
                            .put("Target", output.substring(0, Math.max(0, output.indexOf(": ")))));
                }
            });
            entry.set("checks", definitions);
            out.put(host.serviceId(), entry);
        }
        assertThat(out.get("web-1").path("service").path("Meta").path("zone").asText()).isEqualTo("zone-a");
        assertThat(out.get("web-1").path("checks")).hasSize(1);
        assertThat(out.get("web-1").path("checks").get(0).path("Target").asText())
                .isEqualTo("HTTP GET " + fleet.hosts().get(0).appUrl() + "/healthz");
        return out;
    }

    private static List<String> passing() throws IOException {
        List<String> ids = new ArrayList<>();
        get(fleet.consulAddress() + "/v1/health/service/web?passing=true").forEach(e -> ids.add(e.path("Service").path("ID").asText()));
        return ids;
    }

    private static String version(LocalFleet.Host host) throws IOException {
        try (Response response = HTTP.newCall(new Request.Builder().url(host.appUrl() + "/version").build()).execute()) {
            return response.body().string().strip();
        }
    }

    private static JsonNode get(String url) throws IOException {
        try (Response response = HTTP.newCall(new Request.Builder().url(url).build()).execute()) {
            return MAPPER.readTree(response.body().string());
        }
    }

    private record Cli(int exit, String output) {
    }

    /** Runs the real command line in its own JVM, with the agents' token in the environment. */
    private static Cli cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(DemoMain.javaBinary(), "-cp", System.getProperty("java.class.path"),
                "dev.baton.cli.BatonMain"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("BATON_AGENT_TOKEN", fleet.agentToken());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        System.out.println(output);
        return new Cli(process.exitValue(), output);
    }
}
