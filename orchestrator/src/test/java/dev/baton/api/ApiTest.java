package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.fleet.LocalFleet;
import dev.baton.server.Api;
import dev.baton.server.ServerFixture;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every endpoint of docs/server-api.md against a real server on a real fleet: answers, errors, auth. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiTest {
    private static String finished;

    @RegisterExtension
    static final ServerFixture fixture = new ServerFixture();

    @Test
    @Order(1)
    void theOpenApiDocumentAndTheDashboardNeedNoToken() throws Exception {
        Api.Answer openapi = fixture.api().get("/api/v1/openapi.json", null);
        assertThat(openapi.status()).isEqualTo(200);
        assertThat(openapi.contentType()).startsWith("application/json");
        JsonNode doc = openapi.json();
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        List<String> paths = new ArrayList<>();
        doc.path("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).contains("/rollouts", "/rollouts/{id}", "/rollouts/{id}/events", "/rollouts/{id}/{action}",
                "/fleet", "/me", "/openapi.json");

        Api.Answer dashboard = fixture.api().get("/", null);
        assertThat(dashboard.status()).isEqualTo(200);
        assertThat(dashboard.contentType()).startsWith("text/html");
        assertThat(dashboard.text()).contains("<title>Baton</title>");
    }

    @Test
    @Order(2)
    void everyApiCallNeedsAKnownToken() throws Exception {
        List<String[]> calls = List.of(new String[]{"GET", "/api/v1/me"}, new String[]{"GET", "/api/v1/rollouts"},
                new String[]{"GET", "/api/v1/rollouts/r-20990101-0001"}, new String[]{"GET", "/api/v1/rollouts/r-20990101-0001/events"},
                new String[]{"GET", "/api/v1/fleet"}, new String[]{"POST", "/api/v1/rollouts"},
                new String[]{"POST", "/api/v1/rollouts/r-20990101-0001/pause"});
        for (String[] call : calls) {
            for (String token : new String[]{null, "not-a-token", fixture.harness().deployer + "x"}) {
                Api.Answer answer = call[0].equals("GET") ? fixture.api().get(call[1], token)
                        : fixture.api().post(call[1], token, "service: web", "application/yaml");
                assertThat(answer.status()).as(call[0] + " " + call[1] + " with " + token).isEqualTo(401);
                assertThat(answer.error()).isNotBlank().doesNotContain("\n");
            }
        }
    }

    @Test
    @Order(3)
    void meNamesTheRoleAndViewersMayNotStartOrControl() throws Exception {
        assertThat(fixture.api().get("/api/v1/me", fixture.harness().viewer).json().path("role").asText()).isEqualTo("viewer");
        assertThat(fixture.api().get("/api/v1/me", fixture.harness().deployer).json().path("role").asText()).isEqualTo("deployer");
        assertThat(fixture.api().get("/api/v1/me", fixture.harness().admin).json().path("role").asText()).isEqualTo("admin");

        Api.Answer start = fixture.api().post("/api/v1/rollouts", fixture.harness().viewer, fixture.harness().plan("2.0.0", null), "application/yaml");
        assertThat(start.status()).isEqualTo(403);
        assertThat(start.error()).contains("viewer");
        for (String action : List.of("pause", "resume", "abort", "rollback", "promote")) {
            assertThat(fixture.api().post("/api/v1/rollouts/r-20990101-0001/" + action, fixture.harness().viewer, "", null).status()).isEqualTo(403);
        }
        assertThat(fixture.api().get("/api/v1/rollouts", fixture.harness().viewer).status()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aWrongPlanIs400WithThePlanErrorLine() throws Exception {
        Api.Answer badSha = fixture.api().post("/api/v1/rollouts", fixture.harness().deployer,
                "service: web\nversion: 2.0.0\nartifact: { url: http://x/y, sha256: abc }\n", "application/yaml");
        assertThat(badSha.status()).isEqualTo(400);
        assertThat(badSha.error()).isEqualTo("plan:3:38: artifact.sha256: \"abc\" is not valid (64 hex digits: the sha256 of the artifact)");

        Api.Answer malformed = fixture.api().post("/api/v1/rollouts", fixture.harness().deployer, "service: web\nversion: [1, 2\n", "text/yaml");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error()).startsWith("plan:").doesNotContain("\n").doesNotContain("Exception");

        Api.Answer json = fixture.api().post("/api/v1/rollouts", fixture.harness().deployer, "{\"service\": \"web\", \"versio\": \"2\"}",
                "application/json; charset=utf-8");
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.error()).startsWith("plan:1:");

        Api.Answer chosenToken = fixture.api().post("/api/v1/rollouts", fixture.harness().deployer,
                fixture.harness().plan("2.0.0", null) + "agent: { tokenEnv: NOT_ON_THE_SERVER }\n", "application/yaml");
        assertThat(chosenToken.status()).isEqualTo(400);
        assertThat(chosenToken.error()).contains("agent.tokenEnv: a plan cannot choose the agent token");
    }

    @Test
    @Order(5)
    void aWrongContentTypeIs415AndAnOversizedBodyIs413() throws Exception {
        String plan = fixture.harness().plan("2.0.0", null);
        assertThat(fixture.api().post("/api/v1/rollouts", fixture.harness().deployer, plan, "text/plain").status()).isEqualTo(415);
        Api.Answer none = fixture.api().post("/api/v1/rollouts", fixture.harness().deployer, plan.getBytes(), null);
        assertThat(none.status()).isEqualTo(415);
        assertThat(none.error()).contains("application/yaml");

        String huge = plan + "#" + "x".repeat(300 * 1024) + "\n";
        Api.Answer oversized = fixture.api().post("/api/v1/rollouts", fixture.harness().deployer, huge, "application/yaml");
        assertThat(oversized.status()).isEqualTo(413);
        assertThat(oversized.error()).contains("256 KiB");
        Api.Answer bigControl = fixture.api().post("/api/v1/rollouts/r-20990101-0001/pause", fixture.harness().deployer, huge, "text/plain");
        assertThat(bigControl.status()).isEqualTo(413);
        assertThat(fixture.api().get("/api/v1/rollouts", fixture.harness().viewer).json().path("rollouts")).isEmpty();
    }

    @Test
    @Order(6)
    void unknownRolloutsAndEndpointsAre404() throws Exception {
        for (String path : List.of("/api/v1/rollouts/r-20990101-0001", "/api/v1/rollouts/nonsense",
                "/api/v1/rollouts/r-20990101-0001/events", "/api/v1/nothing-here")) {
            Api.Answer answer = fixture.api().get(path, fixture.harness().viewer);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.error()).as(path).isNotBlank();
        }
        assertThat(fixture.api().post("/api/v1/rollouts/r-20990101-0001/pause", fixture.harness().deployer, "", null).status()).isEqualTo(404);
        assertThat(fixture.api().post("/api/v1/rollouts/r-20990101-0001/dance", fixture.harness().deployer, "", null).status()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void aRolloutStartsWith201AndLocationThenShowsInTheListTheFleetAndItsLog() throws Exception {
        Api.Answer started = fixture.api().post("/api/v1/rollouts", fixture.harness().deployer, fixture.harness().plan("2.0.0", null), "application/yaml");
        assertThat(started.status()).isEqualTo(201);
        JsonNode body = started.json();
        String id = body.path("id").asText();
        assertThat(id).matches("r-\\d{8}-\\d{4}");
        assertThat(started.location()).isEqualTo("/api/v1/rollouts/" + id);
        assertThat(body.path("service").asText()).isEqualTo("web");
        assertThat(body.path("version").asText()).isEqualTo("2.0.0");
        assertThat(body.path("hosts")).hasSize(3);
        assertThat(body.path("hosts").get(0).path("address").asText()).isEqualTo(fixture.fleet().hosts().get(0).address());
        assertThat(body.has("endedAt")).isTrue();

        await().atMost(Duration.ofMinutes(2)).until(() -> fixture.api().rollout(id, fixture.harness().viewer).path("status").asText().equals("SUCCEEDED"));
        finished = id;
        JsonNode done = fixture.api().rollout(id, fixture.harness().viewer);
        assertThat(done.path("actions")).isEmpty();
        assertThat(done.path("summary").asText()).contains("3 hosts on 2.0.0");
        assertThat(done.path("endedAt").isNull()).isFalse();
        for (JsonNode host : done.path("hosts")) {
            assertThat(host.path("state").asText()).isEqualTo("DONE");
            assertThat(host.path("version").asText()).isEqualTo("2.0.0");
            assertThat(host.path("steps").findValuesAsText("step")).contains("LEAVE", "PROPAGATE", "RESTART", "CHECK", "JOIN");
            assertThat(host.path("steps").findValuesAsText("outcome")).doesNotContain("STARTED");
        }
        JsonNode events = done.path("events");
        for (int i = 0; i < events.size(); i++) assertThat(events.get(i).path("seq").asLong()).isEqualTo(i + 1);

        JsonNode summary = fixture.api().get("/api/v1/rollouts", fixture.harness().viewer).json().path("rollouts").get(0);
        assertThat(summary.path("id").asText()).isEqualTo(id);
        assertThat(summary.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(summary.path("hosts").path("total").asInt()).isEqualTo(3);
        assertThat(summary.path("hosts").path("done").asInt()).isEqualTo(3);
        assertThat(summary.path("hosts").path("failed").asInt()).isZero();
        assertThat(summary.path("durationMs").asLong()).isPositive();

        JsonNode web = fixture.api().get("/api/v1/fleet", fixture.harness().viewer).json().path("services").get(0);
        assertThat(web.path("name").asText()).isEqualTo("web");
        assertThat(web.path("instances")).hasSize(3);
        for (JsonNode instance : web.path("instances")) {
            assertThat(instance.path("health").asText()).isEqualTo("passing");
            assertThat(instance.path("maintenance").asBoolean()).isFalse();
            assertThat(instance.path("version").asText()).isEqualTo("2.0.0");
            assertThat(instance.path("port").asInt()).isEqualTo(LocalFleet.APP_PORT);
        }
    }

    @Test
    @Order(8)
    void controlsOfAnEndedRolloutAre409() throws Exception {
        for (String action : List.of("pause", "resume", "abort", "rollback", "promote")) {
            Api.Answer answer = fixture.api().post("/api/v1/rollouts/" + finished + "/" + action, fixture.harness().deployer, "", null);
            assertThat(answer.status()).as(action).isEqualTo(409);
            assertThat(answer.error()).contains("SUCCEEDED");
        }
    }

    @Test
    @Order(9)
    void theEventStreamOfAnEndedRolloutReplaysAfterTheGivenSeqThenEnds() throws Exception {
        int total = fixture.api().rollout(finished, fixture.harness().viewer).path("events").size();
        try (Api.Watcher all = fixture.api().watch(finished, fixture.harness().viewer)) {
            all.await(Duration.ofSeconds(10));
            assertThat(all.status()).isEqualTo(200);
            assertThat(all.events()).hasSize(total);
            assertThat(all.statuses()).containsExactly("SUCCEEDED");
            assertThat(all.messages.get(0).id()).isEqualTo("1");
        }
        try (Api.Watcher after = fixture.api().watch(finished, fixture.harness().viewer, "5")) {
            after.await(Duration.ofSeconds(10));
            assertThat(after.events()).hasSize(total - 5);
            assertThat(after.events().get(0).path("seq").asLong()).isEqualTo(6);
        }
        Api.Answer query = fixture.api().get("/api/v1/rollouts/" + finished + "/events?after=" + (total - 1), fixture.harness().viewer);
        assertThat(query.contentType()).startsWith("text/event-stream");
        assertThat(query.text()).startsWith("id: " + total + "\nevent: event\ndata: {\"seq\":" + total + ",")
                .endsWith("event: status\ndata: {\"status\":\"SUCCEEDED\"}\n\n");
    }

    @Test
    @Order(10)
    void tokensAppearNowhereInConsulOrInAnswers() throws Exception {
        OkHttpClient http = new OkHttpClient();
        String kv;
        try (Response response = http.newCall(new Request.Builder()
                .url(fixture.fleet().consulAddress() + "/v1/kv/baton/?recurse=true").build()).execute()) {
            kv = response.body().string();
        }
        StringBuilder decoded = new StringBuilder();
        for (JsonNode entry : dev.baton.store.Json.MAPPER.readTree(kv)) {
            decoded.append(entry.path("Key").asText()).append('\n');
            if (entry.hasNonNull("Value")) decoded.append(new String(java.util.Base64.getDecoder().decode(entry.path("Value").asText()))).append('\n');
        }
        assertThat(decoded.toString()).contains("/record").contains("/events/0000000001").contains("/journal/web-1");
        String answers = fixture.api().get("/api/v1/rollouts", fixture.harness().admin).text() + fixture.api().rollout(finished, fixture.harness().admin)
                + fixture.api().get("/api/v1/fleet", fixture.harness().admin).text() + fixture.api().get("/api/v1/me", fixture.harness().admin).text();
        for (String token : List.of(fixture.harness().viewer, fixture.harness().deployer, fixture.harness().admin, fixture.fleet().agentToken())) {
            assertThat(decoded.toString()).doesNotContain(token);
            assertThat(answers).doesNotContain(token);
        }
    }
}
