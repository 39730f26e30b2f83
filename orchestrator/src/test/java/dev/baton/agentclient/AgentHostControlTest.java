package dev.baton.agentclient;

import dev.baton.plan.Plan;
import dev.baton.rollout.Clock;
import dev.baton.rollout.HookResult;
import dev.baton.rollout.Instance;
import dev.baton.rollout.RestartFailed;
import dev.baton.rollout.RestartOrder;
import dev.baton.rollout.RestartReport;
import dev.baton.rollout.StepFailure;
import dev.baton.wire.HostileHttpServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The agent client against a real local HTTP peer that behaves, and one that does not. */
class AgentHostControlTest {
    private static final Duration GUARD = Duration.ofSeconds(30);
    private static final RestartOrder ORDER = new RestartOrder("2.0.0", null, null, "stop-start",
            Duration.ofSeconds(5), Duration.ofSeconds(5));
    private static final String OPERATION = """
            {"id": "op-1", "state": "%s", "version": "2.0.0", "strategy": "stop-start", "previousVersion": "1.0.0",
             "oldPid": 100, "newPid": %s, "error": %s,
             "phases": [{"name": "drain", "state": "SUCCEEDED", "startedAt": "2026-01-01T00:00:00Z", "durationMs": 120, "detail": null},
                        {"name": "switch", "state": "%s", "startedAt": "2026-01-01T00:00:00Z", "durationMs": 3, "detail": "1.0.0 -> 2.0.0"}]}""";

    @Test
    void followsARestartToItsReport() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(restartFlow(
                OPERATION.formatted("RUNNING", "null", "null", "SUCCEEDED"),
                OPERATION.formatted("SUCCEEDED", "200", "null", "SUCCEEDED")))) {
            RestartReport report = control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10));

            assertThat(report.oldPid()).isEqualTo(100L);
            assertThat(report.newPid()).isEqualTo(200L);
            assertThat(report.summary()).isEqualTo("pid 100 -> 200: drain 120ms, switch 3ms (1.0.0 -> 2.0.0)");
            assertThat(agent.requests().get(0)).startsWith("POST /v1/restarts HTTP/1.1").contains("Authorization: Bearer t0ken");
            assertThat(agent.requests().get(1)).startsWith("GET /v1/operations/op-1 HTTP/1.1");
        }
    }

    @Test
    void aFailedRestartSaysWhatTheAgentSaidAndWhetherItSwitched() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(restartFlow(
                OPERATION.formatted("FAILED", "null", "\"app not ready after 5s\"", "SUCCEEDED")))) {
            assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10)))
                    .isInstanceOf(RestartFailed.class).hasMessageStartingWith("agent on 127.0.0.1: \"app not ready after 5s\" [pid 100 -> null")
                    .extracting(e -> ((RestartFailed) e).previousVersion()).isEqualTo("1.0.0");
        }
    }

    /** "Never read garbage as success": a SUCCEEDED without its phases was a pass with an empty report. */
    @Test
    void aSucceededOperationWithoutItsFieldsIsAFailure() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(restartFlow("{\"id\": \"op-1\", \"state\": \"SUCCEEDED\"}"))) {
            assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10)))
                    .isInstanceOf(StepFailure.class)
                    .hasMessage("agent at 127.0.0.1:" + agent.port() + " (GET /v1/operations/op-1) sent a malformed reply: "
                            + "\"phases\" is not a list");
        }
    }

    @Test
    void anUnknownOrMistypedStateIsAFailure() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(restartFlow("{\"id\": \"op-1\", \"state\": \"DONE\", \"phases\": []}"))) {
            assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10)))
                    .isInstanceOf(StepFailure.class).hasMessageEndingWith("unknown operation state \"DONE\"");
        }
        try (HostileHttpServer agent = HostileHttpServer.start(restartFlow("{\"id\": \"op-1\", \"state\": 2, \"phases\": []}"))) {
            assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10)))
                    .isInstanceOf(StepFailure.class).hasMessageEndingWith("\"state\" is not a non-empty string");
        }
    }

    @Test
    void anOperationIdThatIsNotAPlainNameIsRefused() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(
                HostileHttpServer.answeringJson(202, "{\"id\": \"../../v1/hooks\", \"state\": \"RUNNING\"}"))) {
            assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10)))
                    .isInstanceOf(StepFailure.class).hasMessageEndingWith("operation id \"../../v1/hooks\" is not a plain name");
            assertThat(agent.requests()).hasSize(1);
        }
    }

    @Test
    void anUnexpectedStatusIsAFailureEvenIfTheBodyLooksFine() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(
                HostileHttpServer.answeringJson(200, OPERATION.formatted("SUCCEEDED", "200", "null", "SUCCEEDED")))) {
            assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10)))
                    .isInstanceOf(StepFailure.class)
                    .hasMessageStartingWith("agent at 127.0.0.1:" + agent.port() + " (POST /v1/restarts) answered 200: ");
        }
    }

    @Test
    void anErrorStatusCarriesTheAgentsErrorOnOneLine() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(
                HostileHttpServer.answeringJson(409, "{\"error\": \"operation op-7 is running\\nsecond line\"}"))) {
            assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(10)))
                    .isInstanceOf(StepFailure.class)
                    .hasMessage("agent at 127.0.0.1:" + agent.port() + " (POST /v1/restarts) answered 409: \"operation op-7 is running\"");
        }
    }

    /** Issue 8: the agent client had no call timeout; a hanging agent held RESTART far past restart.timeout. */
    @Test
    void aHangingAgentFailsTheRestartWithinItsTimeout() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start((head, out) -> {
            if (head.startsWith("POST")) HostileHttpServer.answeringJson(202, "{\"id\": \"op-1\"}").serve(head, out);
            else Thread.sleep(Long.MAX_VALUE);
        })) {
            long started = System.nanoTime();
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(2)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("(GET /v1/operations/op-1) is unreachable or too slow"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            System.out.println("restart(timeout 2s) against a hanging agent gave up after " + took.toMillis() + " ms");
            assertThat(took).isLessThan(Duration.ofMillis(3000));
        }
    }

    @Test
    void aDrippingReplyIsCutByTheCallTimeout() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(HostileHttpServer.dripping(100))) {
            long started = System.nanoTime();
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> control(agent).restart(host(agent), ORDER, Duration.ofSeconds(2)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("(POST /v1/restarts) is unreachable or too slow"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3000));
        }
    }

    @Test
    void aHugeBodyIsRefusedAtOneMebibyte() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(HostileHttpServer.flooding())) {
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> control(agent).awaitQuiet(host(agent),
                    Duration.ofMillis(100), Duration.ofSeconds(5)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("larger than the 1048576-byte limit"));
        }
    }

    @Test
    void garbageJsonIsAFailure() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(HostileHttpServer.answeringJson(200, "{\"quiet\": tru"))) {
            assertThatThrownBy(() -> control(agent).awaitQuiet(host(agent), Duration.ofMillis(100), Duration.ofSeconds(1)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("(GET /v1/traffic/quiet) sent a malformed reply: ");
        }
    }

    @Test
    void aQuietReplyMustSayTrueOrFalse() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(HostileHttpServer.answeringJson(200, "{\"quiet\": \"yes\"}"))) {
            assertThatThrownBy(() -> control(agent).awaitQuiet(host(agent), Duration.ofMillis(100), Duration.ofSeconds(1)))
                    .isInstanceOf(StepFailure.class).hasMessageEndingWith("\"quiet\" is not true or false");
        }
    }

    /** A hook reply with {@code "exitCode": "0"} (a string) read as a successful hook. */
    @Test
    void aHookReplyWithAMistypedExitCodeIsAFailureNotASuccess() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(HostileHttpServer.answeringJson(200,
                "{\"name\": \"before-host\", \"exitCode\": \"0\", \"timedOut\": false, \"durationMs\": 5, \"output\": \"\"}"))) {
            assertThatThrownBy(() -> control(agent).runHook(host(agent), "BEFORE_HOST", new Plan.Hook("true", Duration.ofSeconds(1)), Map.of()))
                    .isInstanceOf(StepFailure.class).hasMessageEndingWith("\"exitCode\" is not an integer or null");
        }
    }

    @Test
    void aWellFormedHookReplyIsRead() throws Exception {
        try (HostileHttpServer agent = HostileHttpServer.start(HostileHttpServer.answeringJson(200,
                "{\"name\": \"before-host\", \"exitCode\": null, \"timedOut\": true, \"durationMs\": 1000, \"output\": \"slow\"}"))) {
            HookResult result = control(agent).runHook(host(agent), "BEFORE_HOST", new Plan.Hook("sleep 9", Duration.ofSeconds(1)), Map.of());
            assertThat(result).isEqualTo(new HookResult(-1, true, Duration.ofSeconds(1), "slow"));
        }
    }

    @Test
    void aHostAddressThatIsNotAHostIsAFailure() {
        AgentHostControl control = new AgentHostControl(new OkHttpClient(), "http", 7070, "t0ken", Clock.SYSTEM);
        assertThatThrownBy(() -> control.awaitQuiet(new Instance("w", "web", "n", "evil/path", 80), Duration.ofMillis(10),
                Duration.ofMillis(10))).isInstanceOf(StepFailure.class).hasMessageStartingWith("cannot reach an agent at \"evil/path\":7070");
    }

    @Test
    void theTokenNeverTravelsInClearTextBeyondLoopback() {
        // a name under .invalid never resolves: if the refusal were gone, nothing would leave this machine either
        AgentHostControl control = new AgentHostControl(new OkHttpClient(), "http", 7070, "t0ken", Clock.SYSTEM);
        Instance remote = new Instance("web-1", "web", "node", "agent.baton.invalid", 8080);
        assertThatThrownBy(() -> control.restart(remote, ORDER, Duration.ofSeconds(5)))
                .isInstanceOf(StepFailure.class)
                .hasMessage("refusing to send the agent token in clear text to agent.baton.invalid:7070: set up mutual TLS "
                        + "with the agents (baton ca) or use https");
        assertThatThrownBy(() -> control.awaitQuiet(remote, Duration.ofMillis(100), Duration.ofSeconds(1)))
                .hasMessageStartingWith("refusing to send the agent token in clear text");
    }

    @Test
    void partialTlsSettingsAreRefusedWithTheMissingNames() {
        java.util.Map<String, String> env = java.util.Map.of(AgentCredentials.CA_ENV, "/etc/baton/ca.pem");
        assertThatThrownBy(() -> AgentCredentials.of("t", env::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mutual TLS with the agents needs all of BATON_AGENT_CA, BATON_AGENT_CERT and BATON_AGENT_KEY");
        assertThat(AgentCredentials.of(" ", k -> null)).isEqualTo(new AgentCredentials(null, null));
    }

    private static AgentHostControl control(HostileHttpServer agent) {
        return new AgentHostControl(new OkHttpClient(), "http", agent.port(), "t0ken", Clock.SYSTEM);
    }

    private static Instance host(HostileHttpServer agent) {
        return new Instance("web-1", "web", "node", agent.host(), 8080);
    }

    /** 202 with the operation id for the POST, then each GET answers the next of {@code states} (the last one repeats). */
    private static HostileHttpServer.Behaviour restartFlow(String... operations) {
        int[] next = {0};
        return (head, out) -> {
            if (head.startsWith("POST /v1/restarts ")) {
                HostileHttpServer.answeringJson(202, "{\"id\": \"op-1\", \"state\": \"RUNNING\"}").serve(head, out);
                return;
            }
            String operation;
            synchronized (next) {
                operation = operations[Math.min(next[0]++, operations.length - 1)];
            }
            HostileHttpServer.answeringJson(200, operation).serve(head, out);
        };
    }
}
