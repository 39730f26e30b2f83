package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agent.app.Pids;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile requests against a running agent with the real demo app: each one is refused with the right status and a
 * one-line error, and afterwards the releases, the current symlink, the pidfile and the app's pid are as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentHostileApiTest {

    /** Set by agent/pom.xml's surefire configuration: the agent reads its token from it, like --token-env. */
    private static final String TOKEN_ENV = "BATON_AGENT_TEST_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA = "a".repeat(64);

    private Path sandbox;
    private Path home;
    private ArtifactServer artifactServer;
    private DemoAppArtifacts.Artifact v1;
    private String token;
    private int appPort;
    private Agent agent;
    private String base;
    private long appPid;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One hostile request and what the agent must answer. {@code token} null sends no Authorization header. */
    record Case(String name, String method, String path, String body, Map<String, String> headers, int status,
                String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    void startAgentWithTheAppRunning() throws Exception {
        token = System.getenv(TOKEN_ENV);
        if (token == null) {
            fail(TOKEN_ENV + " is not set; run the tests with Maven (agent/pom.xml sets it)");
        }
        sandbox = Files.createTempDirectory("baton-hostile");
        home = sandbox.resolve("home");
        Path artifacts = Files.createDirectories(sandbox.resolve("artifacts"));
        v1 = DemoAppArtifacts.in(artifacts).build("1.0.0");
        artifactServer = new ArtifactServer(artifacts);
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            appPort = socket.getLocalPort();
        }
        String command = "demo-app -listen 127.0.0.1:" + appPort + " -pidfile {pidfile} -shutdown-timeout 30s";
        agent = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), home, token, TOKEN_ENV, command,
                URI.create("http://127.0.0.1:" + appPort + "/healthz"),
                AgentOptions.defaults().withAppEnv(Map.of("APP_MODE", "test"))));
        agent.start();
        base = "http://127.0.0.1:" + agent.address().getPort();
        JsonNode operation = follow(send("POST", "/v1/restarts", ApiClient.restartBody("1.0.0",
                artifactServer.url(v1.file().getFileName().toString()), v1.sha256(), "stop-start"), auth()));
        assertThat(operation.path("state").asText()).as(operation.toString()).isEqualTo("SUCCEEDED");
        appPid = operation.path("newPid").asLong();
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle child : children) {
            Pids.waitForExit(child.pid(), Duration.ofSeconds(5));
        }
        if (artifactServer != null) {
            artifactServer.close();
        }
        try (Stream<Path> paths = Files.walk(sandbox)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    Stream<Case> hostileRequests() {
        String url = "http://127.0.0.1:1/x.tar.gz";
        return Stream.of(
                // who may ask
                new Case("no token", "GET", "/v1/status", null, Map.of(), 401, "missing bearer token"),
                new Case("wrong token", "POST", "/v1/restarts", restart("2.0.0", url, SHA),
                        Map.of("Authorization", "Bearer not-the-token"), 401, "invalid bearer token"),
                new Case("basic instead of bearer", "GET", "/v1/releases", null,
                        Map.of("Authorization", "Basic YWRtaW46YWRtaW4="), 401, "expected an Authorization: Bearer"),
                new Case("token with a suffix", "GET", "/v1/status", null,
                        Map.of("Authorization", "Bearer " + System.getenv(TOKEN_ENV) + "x"), 401, "invalid bearer token"),
                // what may be asked
                new Case("GET on restarts", "GET", "/v1/restarts", null, auth(), 405, "method GET not allowed; use POST"),
                new Case("DELETE on releases", "DELETE", "/v1/releases", null, auth(), 405, "not allowed"),
                new Case("PUT on hooks", "PUT", "/v1/hooks", "{}", auth(), 405, "not allowed"),
                new Case("POST on status", "POST", "/v1/status", "{}", auth(), 405, "not allowed"),
                new Case("unknown endpoint", "GET", "/v1/shell", null, auth(), 404, "no such endpoint: /v1/shell"),
                new Case("operation id with a dot-dot", "GET", "/v1/operations/..%2f..%2fstatus", null, auth(), 400,
                        "Ambiguous URI path separator"),
                new Case("unknown operation", "GET", "/v1/operations/op-99999", null, auth(), 404, "no operation op-99999"),
                // bodies
                new Case("oversized body", "POST", "/v1/restarts",
                        "{\"version\":\"1.0.0\",\"pad\":\"" + "x".repeat(100 * 1024) + "\"}", auth(), 413,
                        "request body is larger than 65536 bytes"),
                new Case("malformed JSON", "POST", "/v1/restarts", "{\"version\": \"1.0.0\",", auth(), 400,
                        "malformed JSON"),
                new Case("an array, not an object", "POST", "/v1/restarts", "[1,2,3]", auth(), 400,
                        "expected a JSON object"),
                new Case("empty body", "POST", "/v1/restarts", "", auth(), 400, "request body is empty"),
                new Case("unknown field", "POST", "/v1/restarts", "{\"version\":\"1.0.0\",\"shell\":\"sh\"}", auth(),
                        400, "unknown field 'shell'"),
                new Case("deeply nested JSON", "POST", "/v1/restarts", "[".repeat(5000) + "]".repeat(5000), auth(),
                        400, "expected a JSON object"),
                new Case("version with ../", "POST", "/v1/restarts", restart("../../etc", url, SHA), auth(), 400,
                        "invalid version '../../etc'"),
                new Case("version with NUL", "POST", "/v1/restarts", restart("1.0.0\u0000x", url, SHA), auth(), 400,
                        "invalid version '1.0.0?x'"),
                new Case("very long version", "POST", "/v1/restarts", restart("9".repeat(10_000), url, SHA), auth(),
                        400, "invalid version"),
                new Case("version is an object", "POST", "/v1/restarts", "{\"version\":{\"a\":1}}", auth(), 400,
                        "invalid value for 'version'"),
                new Case("negative drain timeout", "POST", "/v1/restarts",
                        "{\"version\":\"1.0.0\",\"drainTimeoutMs\":-5}", auth(), 400, "drainTimeoutMs must be between 1"),
                new Case("huge ready timeout", "POST", "/v1/restarts",
                        "{\"version\":\"1.0.0\",\"readyTimeoutMs\":9223372036854775807}", auth(), 400,
                        "readyTimeoutMs must be between 1"),
                new Case("timeout beyond a long", "POST", "/v1/restarts",
                        "{\"version\":\"1.0.0\",\"readyTimeoutMs\":1e30}", auth(), 400, "invalid value for 'readyTimeoutMs'"),
                new Case("unknown strategy", "POST", "/v1/restarts", "{\"version\":\"1.0.0\",\"strategy\":\"yolo\"}",
                        auth(), 400, "strategy must be stop-start or handoff"),
                new Case("file: artifact without an artifact dir", "POST", "/v1/restarts",
                        restart("2.0.0", "file:///etc/shadow", SHA), auth(), 400, "file: URLs are not allowed"),
                new Case("ftp artifact", "POST", "/v1/restarts", restart("2.0.0", "ftp://127.0.0.1/a.tgz", SHA),
                        auth(), 400, "artifact.url must use http or https"),
                new Case("artifact URL without a host", "POST", "/v1/restarts", restart("2.0.0", "http:///a.tgz", SHA),
                        auth(), 400, "artifact.url has no host"),
                new Case("sha256 not hex", "POST", "/v1/restarts", restart("2.0.0", url, "zz"), auth(), 400,
                        "artifact.sha256 must be 64 hex characters"),
                new Case("not installed and no artifact", "POST", "/v1/restarts", "{\"version\":\"9.9.9\"}", auth(),
                        400, "version 9.9.9 is not installed; artifact is required"),
                new Case("prefetch of a version with ../", "POST", "/v1/releases", prefetch("../x", url), auth(), 400,
                        "invalid version"),
                new Case("prefetch of a file: artifact", "POST", "/v1/releases", prefetch("2.0.0", "file:///etc/passwd"),
                        auth(), 400, "file: URLs are not allowed"),
                new Case("hooks not enabled", "POST", "/v1/hooks",
                        "{\"name\":\"x\",\"command\":\"cat /proc/$PPID/environ\"}", auth(), 403,
                        "host hooks are disabled on this agent"),
                new Case("negative quiet period", "GET", "/v1/traffic/quiet?quietMs=-1", null, auth(), 400,
                        "quietMs must be a whole number"),
                new Case("huge traffic timeout", "GET", "/v1/traffic/quiet?timeoutMs=99999999999", null, auth(), 400,
                        "timeoutMs must be a whole number"),
                new Case("unknown traffic parameter", "GET", "/v1/traffic/quiet?cmd=id", null, auth(), 400,
                        "unknown parameter 'cmd'"),
                new Case("headers too large", "GET", "/v1/status", null,
                        Map.of("Authorization", "Bearer " + "x".repeat(20_000)), 431, "Request Header Fields Too Large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void refusesWithOneLineAndChangesNothing(Case hostile) throws Exception {
        Snapshot before = snapshot();

        HttpResponse<String> response = send(hostile.method(), hostile.path(), hostile.body(), hostile.headers());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(hostile.status());
        String error = JSON.readTree(response.body()).path("error").asText();
        assertThat(error).as(response.body()).isNotBlank().doesNotContain("\n").contains(hostile.error())
                .doesNotContain(token);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void concurrentRestartsRunOneAtATimeAndAFailedOneChangesNothing() throws Exception {
        Snapshot before = snapshot();
        String body = restart("2.0.0", artifactServer.slowUrl(v1.file().getFileName().toString()), SHA);
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return send("POST", "/v1/restarts", body, auth());
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            List<HttpResponse<String>> accepted = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
                if (response.statusCode() == 202) {
                    accepted.add(response);
                } else {
                    assertThat(response.statusCode()).isEqualTo(409);
                    assertThat(JSON.readTree(response.body()).path("error").asText()).matches("operation op-\\d+ is still running");
                }
            }
            assertThat(accepted).hasSize(1);
            JsonNode operation = follow(accepted.get(0));
            assertThat(operation.path("state").asText()).isEqualTo("FAILED");
            assertThat(operation.path("error").asText()).isEqualTo("sha256 mismatch for "
                    + artifactServer.slowUrl(v1.file().getFileName().toString()));
        } finally {
            clients.shutdownNow();
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aPidfileNamingAnotherProcessFailsTheRestartAndThatProcessLives() throws Exception {
        Snapshot before = snapshot();
        Process intruder = new ProcessBuilder("sleep", "60").start();
        Path pidFile = home.resolve("app.pid");
        String original = Files.readString(pidFile);
        try {
            Files.writeString(pidFile, intruder.pid() + "\n");

            JsonNode operation = follow(send("POST", "/v1/restarts", "{\"version\":\"1.0.0\"}", auth()));

            assertThat(operation.path("state").asText()).isEqualTo("FAILED");
            assertThat(operation.path("error").asText()).startsWith("pidfile names pid " + intruder.pid() + ", which runs ")
                    .endsWith("not the app the agent started; not signalling it");
            assertThat(intruder.isAlive()).isTrue();
            assertThat(Pids.isAlive(appPid)).isTrue();
        } finally {
            Files.writeString(pidFile, original);
            intruder.destroyForcibly().waitFor();
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void theAppsEnvironmentHoldsNoTokenAndNothingElseOfTheAgents() throws Exception {
        String environ = Files.readString(Path.of("/proc", Long.toString(appPid), "environ"), StandardCharsets.UTF_8);
        List<String> names = Stream.of(environ.split("\0")).map(v -> v.substring(0, v.indexOf('='))).sorted().toList();

        assertThat(environ).doesNotContain(token).doesNotContain(TOKEN_ENV);
        assertThat(names).containsExactly("APP_MODE", "HOME", "LANG", "PATH", "PIDFILE");
    }

    // ---- helpers

    private static Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + System.getenv(TOKEN_ENV));
    }

    private static String restart(String version, String url, String sha256) {
        return ApiClient.restartBody(version, url, sha256, "stop-start");
    }

    private static String prefetch(String version, String url) {
        return ApiClient.prefetchBody(version, url, SHA);
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode follow(HttpResponse<String> accepted) throws IOException {
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = JSON.readTree(send("GET", location, null, auth()).body());
            return !last[0].path("state").asText().equals("RUNNING");
        });
        return last[0];
    }

    /** What a hostile request must not change. */
    private record Snapshot(List<String> files, String current, String pidFile, String identity, boolean appAlive) {
    }

    private Snapshot snapshot() throws IOException {
        List<String> files;
        try (Stream<Path> paths = Files.walk(home)) {
            files = paths.map(p -> home.relativize(p).toString()).filter(p -> !p.equals("app.log")).sorted().toList();
        }
        Path current = home.resolve("current");
        return new Snapshot(files,
                Files.isSymbolicLink(current) ? Files.readSymbolicLink(current).toString() : null,
                Files.readString(home.resolve("app.pid")),
                Files.readString(home.resolve("app.identity")),
                Pids.isAlive(appPid));
    }
}
