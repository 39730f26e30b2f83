package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.app.Pids;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/hooks} on an in-process agent; no app is needed. */
class AgentHooksTest {

    /** Set by the surefire configuration in agent/pom.xml, as if the agent ran with --token-env. */
    private static final String TOKEN_ENV = "BATON_AGENT_TEST_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;
    private String token;
    private Agent agent;
    private ApiClient api;
    private final List<ProcessHandle> started = new ArrayList<>();
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeEach
    void startAgent() throws Exception {
        token = System.getenv(TOKEN_ENV);
        if (token == null) {
            fail(TOKEN_ENV + " is not set; run the tests with Maven (agent/pom.xml sets it)");
        }
        agent = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), home, token, TOKEN_ENV, "demo-app",
                URI.create("http://127.0.0.1:1/healthz"), AgentOptions.defaults().withHooks(null)));
        agent.start();
        api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), token);
    }

    @AfterEach
    void stopAgent() throws Exception {
        clients.shutdownNow();
        agent.stop();
        started.addAll(ProcessHandle.current().descendants().toList());
        started.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : started) {
            Pids.waitForExit(process.pid(), Duration.ofSeconds(5));
        }
    }

    @Test
    void returnsExitCodeAndMergedOutputEvenWhenTheCommandFails() throws Exception {
        JsonNode result = hook(body("beforeHost", "echo hello; echo oops >&2; exit 3", null, Map.of()));

        assertThat(result.path("name").asText()).isEqualTo("beforeHost");
        assertThat(result.path("exitCode").asInt()).isEqualTo(3);
        assertThat(result.path("timedOut").asBoolean()).isFalse();
        assertThat(result.path("durationMs").isIntegralNumber()).isTrue();
        assertThat(result.path("output").asText()).isEqualTo("hello\noops\n");
    }

    @Test
    void passesTheGivenEnvironmentAndRunsInTheHomeWithoutACurrentRelease() throws Exception {
        JsonNode result = hook(body("env", "echo \"$BATON_VERSION $BATON_SERVICE\"; pwd", null,
                Map.of("BATON_VERSION", "2.0.0", "BATON_SERVICE", "web")));

        assertThat(result.path("exitCode").asInt()).isZero();
        assertThat(result.path("output").asText()).isEqualTo("2.0.0 web\n" + home.toRealPath() + "\n");
    }

    @Test
    void runsInTheCurrentReleaseWhenThereIsOne() throws Exception {
        Files.createDirectories(home.resolve("releases/1.0.0"));
        Files.createSymbolicLink(home.resolve("current"), Path.of("releases", "1.0.0"));

        JsonNode result = hook(body("cwd", "pwd", null, Map.of()));

        assertThat(result.path("output").asText().trim()).isEqualTo(home.resolve("releases/1.0.0").toRealPath().toString());
    }

    @Test
    void theAgentTokenIsNotInTheHooksEnvironment() throws Exception {
        JsonNode result = hook(body("env", "echo \"[${" + TOKEN_ENV + "-unset}]\"; env", null, Map.of()));

        String output = result.path("output").asText();
        assertThat(output).startsWith("[unset]\n").contains("PATH=")
                .doesNotContain(token).doesNotContain(TOKEN_ENV + "=").doesNotContain(TOKEN_ENV + "_COPY=");
    }

    @Test
    void aHookRunningAsTheHookUserCannotReadTheTokenFile() throws Exception {
        // A directory everyone may enter, so that only the files' own modes decide what the hook can read.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "baton-hook-user");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path tokenFile = Files.writeString(dir.resolve("agent.token"), token);
            Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
            Path readable = Files.writeString(dir.resolve("readable"), "anyone may read this\n");
            Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
            agent.stop();
            agent = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), home, token, TOKEN_ENV,
                    "demo-app", URI.create("http://127.0.0.1:1/healthz"), AgentOptions.defaults().withHooks("nobody")));
            agent.start();
            api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), token);

            // The issue's attack: read the agent's environment through /proc, where --token-env keeps the token.
            JsonNode result = hook(body("as-nobody", "id -u; cat " + readable + "; cat " + tokenFile
                    + " || echo refused; tr '\\0' '\\n' < /proc/$PPID/environ || echo environ-refused; env", null,
                    Map.of("BATON_HOST", "web-1")));

            String output = result.path("output").asText();
            assertThat(output).startsWith("65534\nanyone may read this\n").contains("Permission denied", "refused\n", "environ-refused\n",
                    "BATON_HOST=web-1", "HOME=/nonexistent", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n").doesNotContain(token).doesNotContain(TOKEN_ENV);
        } finally {
            Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aTimeoutKillsTheCommandItsChildrenAndGrandchildren() throws Exception {
        String command = "sh -c 'sleep 30 & sleep 30' & sleep 30";
        long before = System.nanoTime();
        CompletableFuture<ApiClient.Answer> answer = CompletableFuture.supplyAsync(
                () -> post(body("slow", command, 1000L, Map.of())), clients);
        List<ProcessHandle> sleeps = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            sleeps.clear();
            ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().orElse("").endsWith("sleep")).forEach(sleeps::add);
            return sleeps.size() == 3;
        });
        started.addAll(sleeps);

        ApiClient.Answer result = answer.get(10, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

        assertThat(result.status()).as(result.body().toString()).isEqualTo(200);
        assertThat(result.body().path("timedOut").asBoolean()).isTrue();
        assertThat(result.body().path("exitCode").asInt()).isEqualTo(128 + 15);
        assertThat(result.body().path("durationMs").asLong()).isBetween(1_000L, 3_000L);
        assertThat(tookMillis).isLessThan(4_000);
        for (ProcessHandle sleep : sleeps) {
            assertThat(Pids.isAlive(sleep.pid())).as("sleep pid %d", sleep.pid()).isFalse();
        }
    }

    @Test
    void keepsOnlyTheTailOfLongOutput() throws Exception {
        JsonNode result = hook(body("chatty", "seq 1 20000", null, Map.of()));

        String output = result.path("output").asText();
        assertThat(output).startsWith("[\u2026truncated]\n").endsWith("\n19999\n20000\n");
        String kept = output.substring("[\u2026truncated]\n".length());
        assertThat(kept.length()).isEqualTo(16 * 1024);
        assertThat(seq(1, 20000)).endsWith(kept);
    }

    @Test
    void refusesInvalidRequestsWithOneLine() throws Exception {
        List<String> bodies = List.of(
                body("x", "true", null, Map.of("lower_case", "v")),
                body("x", "true", null, Map.of("1ABC", "v")),
                body("x", "true", null, Map.of("LD_PRELOAD", "/tmp/evil.so")),
                body("x", "true", null, Map.of("PATH", "/tmp")),
                body("x", "true", null, Map.of("BATON_A", "v".repeat(4097))),
                body("bad name", "true", null, Map.of()),
                body("", "true", null, Map.of()),
                body("x", "   ", null, Map.of()),
                body("x", "x".repeat(8193), null, Map.of()),
                body("x", "true", 0L, Map.of()),
                body("x", "true", 3_600_001L, Map.of()),
                "{\"name\":\"x\",\"command\":\"true\",\"shell\":\"bash\"}",
                "{\"name\":\"x\",\"command\":\"true\",\"env\":{\"A\":null}}",
                "{\"name\":\"x\",\"command\":\"true\",\"env\":[]}");
        for (String body : bodies) {
            ApiClient.Answer answer = post(body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.body().path("error").asText()).as(body).isNotBlank().doesNotContain("\n");
        }
        assertThat(post(body("x", "true", null, Map.of("lower_case", "v"))).body().path("error").asText())
                .isEqualTo("invalid env key 'lower_case': expected BATON_ followed by [A-Z0-9_]");
        Map<String, String> tooMany = new java.util.HashMap<>();
        for (int i = 0; i < 51; i++) {
            tooMany.put("BATON_V" + i, "x");
        }
        assertThat(post(body("x", "true", null, tooMany)).status()).isEqualTo(400);
        assertThat(api.get("/v1/hooks").status()).isEqualTo(405);
        assertThat(api.withToken(null).post("/v1/hooks", body("x", "touch ran", null, Map.of())).status()).isEqualTo(401);
        assertThat(api.withToken("wrong").post("/v1/hooks", body("x", "touch ran", null, Map.of())).status()).isEqualTo(401);
        assertThat(home.resolve("ran")).doesNotExist();
    }

    @Test
    void atMostFourHooksRunAtOnce() throws Exception {
        List<CompletableFuture<ApiClient.Answer>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(CompletableFuture.supplyAsync(() -> post(body("wait", "sleep 1.5", null, Map.of())), clients));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("sleep")).count() == 4);

        ApiClient.Answer refused = post(body("fifth", "true", null, Map.of()));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body().path("error").asText()).contains("retry later");
        for (CompletableFuture<ApiClient.Answer> hook : running) {
            assertThat(hook.get(10, TimeUnit.SECONDS).body().path("exitCode").asInt()).isZero();
        }
        assertThat(post(body("after", "true", null, Map.of())).status()).isEqualTo(200);
    }

    private JsonNode hook(String body) {
        ApiClient.Answer answer = post(body);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }

    private ApiClient.Answer post(String body) {
        try {
            return api.post("/v1/hooks", body);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String body(String name, String command, Long timeoutMs, Map<String, String> env) {
        ObjectNode body = JSON.createObjectNode().put("name", name).put("command", command);
        if (timeoutMs != null) {
            body.put("timeoutMs", timeoutMs);
        }
        ObjectNode vars = body.putObject("env");
        env.forEach(vars::put);
        return body.toString();
    }

    private static String seq(int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i <= to; i++) {
            out.append(i).append('\n');
        }
        return out.toString();
    }
}
