package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.api.BatonServer;
import dev.baton.fleet.LocalFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real rollouts through the server on a real 3-host fleet: live events, pause and resume, the service lock, history. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerRolloutTest {
    private static final Duration ROLLOUT = Duration.ofMinutes(2);
    private static LocalFleet fleet;
    private static ServerHarness harness;
    private static BatonServer server;
    private static Api api;
    private static final Map<String, String> ended = new LinkedHashMap<>();
    private static final Duration KEEP_ALIVE = Duration.ofMillis(500);

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0");
        harness = new ServerHarness(fleet);
        server = BatonServer.start(harness.config().withKeepAlive(KEEP_ALIVE));
        api = new Api(server.url());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (fleet != null) fleet.close();
    }

    @Test
    @Order(1)
    void theEventStreamDeliversEveryEventLiveAndInOrderThenTheFinalStatus() throws Exception {
        String id = api.start(harness.plan("2.0.0", Duration.ofMillis(300)), harness.deployer);
        try (Api.Watcher watcher = api.watch(id, harness.viewer)) {
            watcher.await(ROLLOUT);
            assertThat(watcher.status()).isEqualTo(200);
            List<JsonNode> events = watcher.events();
            for (int i = 0; i < events.size(); i++) assertThat(events.get(i).path("seq").asLong()).isEqualTo(i + 1);
            assertThat(watcher.statuses()).first().isEqualTo("RUNNING");
            assertThat(watcher.statuses()).last().isEqualTo("SUCCEEDED");
            assertThat(watcher.messages.get(watcher.messages.size() - 1).type()).isEqualTo("status");

            JsonNode rollout = api.rollout(id, harness.viewer);
            assertThat(rollout.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(events).hasSize(rollout.path("events").size());
            for (int i = 0; i < events.size(); i++) assertThat(events.get(i)).isEqualTo(rollout.path("events").get(i));
            for (JsonNode host : rollout.path("hosts")) {
                assertThat(host.path("state").asText()).isEqualTo("DONE");
                assertThat(host.path("version").asText()).isEqualTo("2.0.0");
            }
            for (String host : List.of("web-1", "web-2", "web-3")) {
                assertThat(events.stream().filter(e -> host.equals(e.path("host").asText(null)))
                        .map(e -> e.path("step").asText() + " " + e.path("outcome").asText()).toList())
                        .containsSubsequence("LEAVE STARTED", "LEAVE OK", "PROPAGATE STARTED", "PROPAGATE OK",
                                "RESTART STARTED", "RESTART OK", "CHECK STARTED", "CHECK OK", "JOIN STARTED", "JOIN OK");
            }
            // live: every event reached the watcher within a second of happening
            synchronized (watcher.messages) {
                for (Api.Message m : watcher.messages) {
                    if (!m.type().equals("event")) continue;
                    Instant at = Instant.parse(m.json().path("at").asText());
                    assertThat(Duration.between(at, m.receivedAt())).as("delivery of event %s", m.id()).isLessThan(Duration.ofSeconds(1));
                }
            }
        }
        ended.put(id, "SUCCEEDED");
    }

    @Test
    @Order(2)
    void pauseStopsAtTheNextHostBoundaryAndResumeFinishesTheRollout() throws Exception {
        String id = api.start(harness.plan("3.0.0", Duration.ofSeconds(2)), harness.deployer);
        try (Api.Watcher watcher = api.watch(id, harness.viewer)) {
            await().atMost(ROLLOUT).pollInterval(Duration.ofMillis(50)).until(() -> states(id).containsValue("PROPAGATING"));
            Api.Answer early = api.post("/api/v1/rollouts/" + id + "/resume", harness.deployer, "", null);
            assertThat(early.status()).isEqualTo(409);
            assertThat(early.error()).contains("RUNNING");

            Api.Answer pause = api.post("/api/v1/rollouts/" + id + "/pause", harness.deployer, "", null);
            assertThat(pause.status()).isEqualTo(202);
            assertThat(pause.json().path("actions").findValuesAsText("")).isEmpty();
            assertThat(pause.json().path("actions").toString()).contains("resume").doesNotContain("pause");

            await().atMost(ROLLOUT).until(() -> api.rollout(id, harness.viewer).path("status").asText().equals("PAUSED"));
            Map<String, String> paused = states(id);
            assertThat(paused.values()).allMatch(s -> s.equals("DONE") || s.equals("PREPARED"));
            assertThat(paused.values()).contains("DONE", "PREPARED");
            int eventsWhenPaused = api.rollout(id, harness.viewer).path("events").size();
            int commentsWhenPaused = watcher.comments.size();
            Thread.sleep(1500);
            assertThat(watcher.comments.size() - commentsWhenPaused).as("keep-alive comments of a quiet stream").isBetween(1, 3);
            assertThat(watcher.comments).containsOnly(": keep-alive");
            JsonNode still = api.rollout(id, harness.viewer);
            assertThat(still.path("status").asText()).isEqualTo("PAUSED");
            assertThat(states(id)).isEqualTo(paused);
            assertThat(still.path("events").size()).isEqualTo(eventsWhenPaused);
            assertThat(still.path("actions").toString()).isEqualTo("[\"resume\",\"abort\",\"rollback\"]");
            assertThat(api.post("/api/v1/rollouts/" + id + "/pause", harness.deployer, "", null).status()).isEqualTo(409);
            assertThat(api.post("/api/v1/rollouts/" + id + "/promote", harness.deployer, "", null).status()).isEqualTo(409);

            assertThat(api.post("/api/v1/rollouts/" + id + "/resume", harness.deployer, "", null).status()).isEqualTo(202);
            watcher.await(ROLLOUT);
            assertThat(watcher.statuses()).containsSubsequence("RUNNING", "PAUSED", "RUNNING", "SUCCEEDED");
            assertThat(watcher.events().stream().filter(e -> e.path("step").asText().equals("PAUSE"))
                    .map(e -> e.path("outcome").asText()).toList()).containsExactly("STARTED", "OK");
        }
        assertThat(states(id).values()).containsOnly("DONE");
        ended.put(id, "SUCCEEDED");
    }

    @Test
    @Order(3)
    void aSecondRolloutOfTheSameServiceIs409AndAFollowerSharingTheConsulServesReadsButPointsWritesToTheLeader() throws Exception {
        String id = api.start(harness.plan("4.0.0", Duration.ofSeconds(1)), harness.deployer);
        String plan = harness.plan("4.0.0", null);
        Api.Answer again = api.post("/api/v1/rollouts", harness.deployer, plan, "application/yaml");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error()).isEqualTo("service web is being rolled out by " + id);

        try (BatonServer other = harness.start()) {
            assertThat(server.leading()).isTrue();
            assertThat(other.leading()).isFalse();
            Api second = new Api(other.url());
            JsonNode leader = second.get("/api/v1/leader", harness.viewer).json();
            assertThat(leader.path("leader").asText()).isEqualTo(server.url());
            assertThat(leader.path("self").asBoolean()).isFalse();
            assertThat(api.get("/api/v1/leader", harness.viewer).json().path("self").asBoolean()).isTrue();

            Api.Answer elsewhere = second.post("/api/v1/rollouts", harness.deployer, plan, "application/yaml");
            assertThat(elsewhere.status()).isEqualTo(409);
            assertThat(elsewhere.error()).isEqualTo("this server is a follower: writes go to the leader at " + server.url());
            assertThat(elsewhere.json().path("leader").asText()).isEqualTo(server.url());
            assertThat(second.post("/api/v1/schedules", harness.deployer, plan, "application/yaml").json().path("leader").asText())
                    .isEqualTo(server.url());

            JsonNode seen = second.rollout(id, harness.viewer);
            assertThat(seen.path("status").asText()).isEqualTo("RUNNING");
            assertThat(seen.path("actions")).isEmpty();
            assertThat(second.get("/api/v1/rollouts", harness.viewer).json().path("rollouts").findValuesAsText("id")).contains(id);
            Api.Answer control = second.post("/api/v1/rollouts/" + id + "/pause", harness.deployer, "", null);
            assertThat(control.status()).isEqualTo(409);
            assertThat(control.json().path("leader").asText()).isEqualTo(server.url());

            try (Api.Watcher remote = second.watch(id, harness.viewer)) {
                remote.await(ROLLOUT);
                assertThat(remote.statuses()).last().isEqualTo("SUCCEEDED");
                assertThat(remote.events()).hasSize(api.rollout(id, harness.viewer).path("events").size());
            }
            ended.put(id, "SUCCEEDED");

            // the lock went with the rollout: the leader may roll the service again, and the follower shows it
            String next = api.start(plan, harness.deployer);
            await().atMost(Duration.ofSeconds(10)).until(() -> second.get("/api/v1/rollouts", harness.viewer).json().path("rollouts")
                    .findValuesAsText("id").contains(next));
            await().atMost(ROLLOUT).until(() -> second.rollout(next, harness.viewer).path("status").asText().equals("SUCCEEDED"));
            ended.put(next, "SUCCEEDED");
        }
    }

    @Test
    @Order(2)
    void theListeningSocketQueuesABurstOfReconnectingDashboards() throws Exception {
        // ss reports a listening socket's accept backlog as its Send-Q; the JDK's default is 50
        Process ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + server.port()).redirectErrorStream(true).start();
        String listening = new String(ss.getInputStream().readAllBytes()).strip();
        assertThat(ss.waitFor()).as("ss (iproute2, installed by bin/setup): %s", listening).isZero();
        assertThat(listening.split("\\s+")[2]).as(listening).isEqualTo("1024");
    }

    @Test
    @Order(4)
    void aRestartedServerListsTheHistoryOfFinishedRollouts() throws Exception {
        Map<String, Integer> eventCounts = new LinkedHashMap<>();
        for (String id : ended.keySet()) eventCounts.put(id, api.rollout(id, harness.viewer).path("events").size());
        server.close();
        server = harness.start();
        api = new Api(server.url());

        List<String> listed = new ArrayList<>();
        for (JsonNode summary : api.get("/api/v1/rollouts", harness.viewer).json().path("rollouts")) {
            listed.add(summary.path("id").asText());
            assertThat(summary.path("status").asText()).isEqualTo(ended.get(summary.path("id").asText()));
            assertThat(summary.path("hosts").path("done").asInt()).isEqualTo(3);
        }
        List<String> newestFirst = new ArrayList<>(ended.keySet());
        java.util.Collections.reverse(newestFirst);
        assertThat(listed).containsExactlyElementsOf(newestFirst);
        for (String id : ended.keySet()) {
            JsonNode rollout = api.rollout(id, harness.viewer);
            assertThat(rollout.path("events").size()).isEqualTo(eventCounts.get(id));
            assertThat(rollout.path("hosts").findValuesAsText("state")).containsOnly("DONE");
            assertThat(rollout.path("hosts").get(0).path("steps").size()).isGreaterThanOrEqualTo(5);
        }
    }

    private static Map<String, String> states(String id) throws Exception {
        Map<String, String> states = new LinkedHashMap<>();
        for (JsonNode host : api.rollout(id, harness.viewer).path("hosts")) {
            states.put(host.path("id").asText(), host.path("state").asText());
        }
        return states;
    }
}
