package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.fleet.LocalFleet;
import dev.baton.store.Json;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server is SIGKILLed while a host is out of rotation; a new server process takes the rollout over from the
 * journal in Consul KV, puts the host back, finishes, and still lists the events from before the crash.
 */
class CrashRecoveryTest {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
    private static LocalFleet fleet;
    private static ServerHarness harness;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0");
        harness = new ServerHarness(fleet);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    @Test
    void aRolloutWhoseServerWasKilledWithAHostOutOfRotationIsResumedByTheNextServer() throws Exception {
        Map<String, String> env = Map.of("BATON_AGENT_TOKEN", fleet.agentToken());
        var tokens = harness.tokensFile(fleet.workDir());
        String id;
        List<JsonNode> before;
        String outHost;
        ServerProcess first = ServerProcess.start(fleet.consulAddress(), tokens, env);
        try {
            Api api = new Api(first.url());
            id = api.start(harness.plan("2.0.0", Duration.ofSeconds(3)), harness.deployer);
            String[] out = new String[1];
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, String> states = states(api.rollout(id, harness.viewer));
                out[0] = states.entrySet().stream().filter(e -> e.getValue().equals("PROPAGATING")).map(Map.Entry::getKey)
                        .findFirst().orElse(null);
                return out[0] != null && states.containsValue("DONE");
            });
            outHost = out[0];
            before = list(api.rollout(id, harness.viewer).path("events"));
        } finally {
            first.kill();
        }
        assertThat(passing()).as("the crash left %s out of rotation", outHost).doesNotContain(outHost).hasSize(2);

        ServerProcess second = ServerProcess.start(fleet.consulAddress(), tokens, env);
        try {
            Api api = new Api(second.url());
            JsonNode listed = api.get("/api/v1/rollouts", harness.viewer).json().path("rollouts").get(0);
            assertThat(listed.path("id").asText()).isEqualTo(id);

            await().atMost(Duration.ofMinutes(2)).until(() -> {
                String status = api.rollout(id, harness.viewer).path("status").asText();
                return !status.equals("RUNNING") && !status.equals("PAUSED");
            });
            JsonNode rollout = api.rollout(id, harness.viewer);
            assertThat(rollout.path("status").asText()).as(rollout.path("summary").asText()).isEqualTo("SUCCEEDED");
            assertThat(second.output()).anyMatch(line -> line.contains("resuming " + id));

            List<JsonNode> after = list(rollout.path("events"));
            assertThat(after.size()).isGreaterThan(before.size());
            assertThat(after.subList(0, before.size())).isEqualTo(before);
            for (int i = 0; i < after.size(); i++) assertThat(after.get(i).path("seq").asLong()).isEqualTo(i + 1);
            assertThat(states(rollout).values()).containsOnly("DONE");
            for (JsonNode host : rollout.path("hosts")) assertThat(host.path("version").asText()).isEqualTo("2.0.0");
        } finally {
            second.close();
        }
        assertThat(passing()).containsExactlyInAnyOrder("web-1", "web-2", "web-3");
        JsonNode checks = get(fleet.consulAddress() + "/v1/agent/checks");
        checks.fieldNames().forEachRemaining(check -> assertThat(check).doesNotStartWith("_service_maintenance"));
    }

    private static Map<String, String> states(JsonNode rollout) {
        Map<String, String> states = new LinkedHashMap<>();
        for (JsonNode host : rollout.path("hosts")) states.put(host.path("id").asText(), host.path("state").asText());
        return states;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static List<String> passing() throws IOException {
        List<String> ids = new ArrayList<>();
        get(fleet.consulAddress() + "/v1/health/service/web?passing=true").forEach(e -> ids.add(e.path("Service").path("ID").asText()));
        return ids;
    }

    private static JsonNode get(String url) throws IOException {
        try (Response response = HTTP.newCall(new Request.Builder().url(url).build()).execute()) {
            return Json.MAPPER.readTree(response.body().string());
        }
    }
}
