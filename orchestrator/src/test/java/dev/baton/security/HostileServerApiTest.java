package dev.baton.security;

import dev.baton.server.Api;
import dev.baton.server.ConsulTree;
import dev.baton.server.ServerFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile requests against a real server on a real fleet: each is answered with the right status and one clear
 * JSON line, and leaves Baton's state in Consul exactly as it was (only the audit log may grow).
 */
class HostileServerApiTest {
    @RegisterExtension
    static final ServerFixture fixture = new ServerFixture();
    private static String ended;

    /** One hostile request and what the server must answer. {@code body} null means GET. */
    record Case(String name, String path, Supplier<String> token, Supplier<byte[]> body, String contentType, int status,
                Supplier<String> error) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void oneRolloutThatEnded() throws Exception {
        ended = fixture.api().start(fixture.harness().plan("1.0.0", null), fixture.harness().deployer);
        await().atMost(Duration.ofSeconds(120)).until(() ->
                fixture.api().rollout(ended, fixture.harness().viewer).path("status").asText().equals("SUCCEEDED"));
    }

    static Stream<Case> cases() {
        Supplier<String> viewer = () -> fixture.harness().viewer;
        Supplier<String> deployer = () -> fixture.harness().deployer;
        Supplier<String> none = () -> null;
        return Stream.of(
                get("no token", "/api/v1/rollouts", none, 401, "no token: send Authorization: Bearer <token>"),
                get("unknown token", "/api/v1/rollouts", () -> "guess-0123456789", 401, "unknown token"),
                get("a deployer token with one more character", "/api/v1/me", () -> fixture.harness().deployer + "x", 401, "unknown token"),
                get("an empty bearer", "/api/v1/fleet", () -> "", 401, "unknown token"),
                post("a viewer starting a rollout", "/api/v1/rollouts", viewer, () -> plan(""), "application/yaml", 403,
                        "the viewer role may not do this (it needs deployer)"),
                post("a viewer aborting a rollout", "/api/v1/rollouts/" + "r-20261122-0001/abort", viewer, () -> "", "application/json", 403,
                        "the viewer role may not do this (it needs deployer)"),
                get("a deployer reading the audit log", "/api/v1/audit", deployer, 403, "the deployer role may not do this (it needs admin)"),
                post("a plan as text/plain", "/api/v1/rollouts", deployer, () -> plan(""), "text/plain", 415,
                        "a plan is sent as application/yaml, text/yaml or application/json, not text/plain"),
                postBytes("a body of 300 KiB", deployer, () -> new byte[300 * 1024], "application/yaml", 413, () -> "the body is larger than 256 KiB"),
                post("YAML that does not parse", "/api/v1/rollouts", deployer, () -> "service: [web\n", "application/yaml", 400, "plan:"),
                post("a JSON array instead of a plan", "/api/v1/rollouts", deployer, () -> "[1, 2]", "application/json", 400,
                        "plan:1:1: plan: a plan is a mapping of fields"),
                postBytes("binary garbage", deployer, () -> new byte[]{(byte) 0xff, 0, 1, 27, '[', '2', 'J', (byte) 0xfe}, "application/yaml", 400, () -> "plan:"),
                post("YAML aliases (a billion laughs)", "/api/v1/rollouts", deployer, () -> "a: &a [x, x]\nb: [*a, *a]\n", "application/yaml", 400,
                        "plan:1:4: a: YAML anchors and aliases are not allowed in plans"),
                post("a plan choosing a server variable as the agent token", "/api/v1/rollouts", deployer,
                        () -> plan("agent: { tokenEnv: CONSUL_HTTP_TOKEN, port: 9999 }\n"), "application/yaml", 400, "plan:"),
                post("a plan bringing a shell command as a deploy hook", "/api/v1/rollouts", deployer,
                        () -> plan("hooks: { beforeDeploy: [\"cat /proc/$PPID/environ\"] }\n"), "application/yaml", 400, "plan:"),
                post("a plan naming a hook the server does not define", "/api/v1/rollouts", deployer,
                        () -> plan("hooks: { afterDeploy: [exfiltrate] }\n"), "application/yaml", 400,
                        "plan: hooks.afterDeploy: no hook named \"exfiltrate\" is defined on this server (it has no hooks file: --hooks-file)"),
                post("a service name that walks paths", "/api/v1/rollouts", deployer,
                        () -> changed("\nservice: web\n", "\nservice: ../../v1/kv/pwned\n"), "application/yaml", 400, "plan:"),
                post("a version with a path and a newline", "/api/v1/rollouts", deployer,
                        () -> changed("\nversion: 2.0.0\n", "\nversion: \"2.0.0/../../x\\nfake\"\n"), "application/yaml", 400, "plan:"),
                post("a host list with shell metacharacters", "/api/v1/rollouts", deployer,
                        () -> changed("consul: \\{ service: web }", "hosts: [\"127.0.0.1;reboot\"]"), "application/yaml", 400, "plan:"),
                post("a Consul target with a quote", "/api/v1/rollouts", deployer,
                        () -> changed("consul: \\{ service: web }", "consul: { service: \"web\\\" or 1==1\" }"), "application/yaml", 400, "plan:"),
                get("an unknown rollout id", "/api/v1/rollouts/r-20261122-0001", viewer, 404, "no rollout r-20261122-0001"),
                get("an id that climbs out", "/api/v1/rollouts/..%2F..%2Fkv%2Fbaton", viewer, 404, "no rollout"),
                get("an id with terminal escapes", "/api/v1/rollouts/r-1%1B%5B2J%07", viewer, 404, "no rollout r-1?[2J?"),
                get("an id of 4000 characters", "/api/v1/rollouts/" + "r".repeat(4000), viewer, 404, "no rollout rrrrrrrrrr"),
                post("pause of an unknown rollout", "/api/v1/rollouts/r-20261122-9999/pause", deployer, () -> "", "application/json", 404,
                        "no rollout r-20261122-9999"),
                postEnded("pause of an ended rollout", "pause", 409, "cannot pause %s: it ended SUCCEEDED"),
                postEnded("rollback of an ended rollout", "rollback", 409, "cannot rollback %s: it ended SUCCEEDED"),
                postEnded("promote of an ended rollout", "promote", 409, "cannot promote %s: it ended SUCCEEDED"),
                postEnded("an action that does not exist", "shutdown", 404, "no such action: shutdown (pause, resume, abort, rollback, promote, override-window)"),
                new Case("events after a seq that is not a number", "/api/v1/rollouts/%s/events?after=1;DROP", viewer, null, null, 400,
                        () -> "after / Last-Event-ID must be an event seq (a number), not \"1;DROP\""),
                get("an unknown endpoint", "/api/v1/admin/shell", viewer, 404, "no such endpoint: GET /api/v1/admin/shell"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithOneLineAndChangesNothing(Case hostile) throws Exception {
        Map<String, String> before = ConsulTree.withoutAudit(fixture.fleet().consulAddress());
        String path = hostile.path().contains("%s") ? hostile.path().formatted(ended) : hostile.path();
        Api.Answer answer = hostile.body() == null ? fixture.api().get(path, hostile.token().get())
                : fixture.api().post(path, hostile.token().get(), hostile.body().get(), hostile.contentType());
        assertThat(answer.status()).as(hostile.name() + ": " + answer.text()).isEqualTo(hostile.status());
        assertThat(answer.contentType()).startsWith("application/json");
        String error = answer.error();
        assertThat(error).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u001b").isNotBlank();
        String expected = hostile.error().get();
        assertThat(error).startsWith(expected.contains("%s") ? expected.formatted(ended) : expected);
        for (String secret : List.of(fixture.harness().deployer, fixture.harness().admin, fixture.fleet().agentToken())) {
            assertThat(answer.text()).doesNotContain(secret);
        }
        assertThat(ConsulTree.withoutAudit(fixture.fleet().consulAddress())).isEqualTo(before);
    }

    @Test
    void slowClientsHoldingHalfSentRequestsDoNotStopTheServerAnswering() throws Exception {
        java.net.URI base = java.net.URI.create(fixture.server().url());
        List<java.net.Socket> slow = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort());
                socket.getOutputStream().write(("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            long start = System.nanoTime();
            Api.Answer me = fixture.api().get("/api/v1/me", fixture.harness().viewer);
            assertThat(me.status()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered while 200 clients hang mid-header")
                    .isLessThan(Duration.ofSeconds(2));
        } finally {
            for (java.net.Socket socket : slow) socket.close();
        }
    }

    @Test
    void thereAreAtLeastTwentyCases() {
        assertThat(cases().count()).isGreaterThanOrEqualTo(20);
    }

    /** The plan with {@code regex} replaced; fails loudly when it did not match (the case would test nothing). */
    private static String changed(String regex, String replacement) {
        String plan = plan("");
        String out = plan.replaceFirst(regex, replacement);
        if (out.equals(plan)) throw new AssertionError("no " + regex + " in the plan:\n" + plan);
        return out;
    }

    private static String plan(String extra) {
        try {
            return fixture.harness().plan("2.0.0", null) + extra;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Case get(String name, String path, Supplier<String> token, int status, String error) {
        return new Case(name, path, token, null, null, status, () -> error);
    }

    private static Case post(String name, String path, Supplier<String> token, Supplier<String> body, String type, int status, String error) {
        return new Case(name, path, token, () -> body.get().getBytes(StandardCharsets.UTF_8), type, status, () -> error);
    }

    private static Case postBytes(String name, Supplier<String> token, Supplier<byte[]> body, String type, int status, Supplier<String> error) {
        return new Case(name, "/api/v1/rollouts", token, body, type, status, error);
    }

    private static Case postEnded(String name, String action, int status, String error) {
        return new Case(name, "/api/v1/rollouts/%s/" + action, () -> fixture.harness().deployer, () -> new byte[0], "application/json",
                status, () -> error);
    }
}
