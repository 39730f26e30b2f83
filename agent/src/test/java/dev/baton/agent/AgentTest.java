package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.app.Pids;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end: an in-process agent driving the real demo app on loopback. */
class AgentTest {

    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(90);
    /** The test clients' source address: no other connection to the app comes from it. */
    private static final String CLIENT_ADDRESS = "127.0.0.9";

    private static Path artifactsDir;
    private static ArtifactServer artifactServer;
    private static DemoAppArtifacts.Artifact v1;
    private static DemoAppArtifacts.Artifact v2;
    private static DemoAppArtifacts.Artifact broken;

    private final String token = UUID.randomUUID().toString();
    private final Set<Long> seenPids = ConcurrentHashMap.newKeySet();
    private final HttpClient appClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path sandbox;
    private Path home;
    private int appPort;
    private Agent agent;
    private ApiClient api;

    @BeforeAll
    static void buildArtifacts() throws Exception {
        artifactsDir = Files.createTempDirectory("baton-agent-artifacts");
        DemoAppArtifacts builder = DemoAppArtifacts.in(artifactsDir);
        v1 = builder.build("1.0.0");
        v2 = builder.build("2.0.0");
        broken = builder.build("3.0.0-broken", true);
        artifactServer = new ArtifactServer(artifactsDir);
    }

    @AfterAll
    static void removeArtifacts() throws IOException {
        if (artifactServer != null) {
            artifactServer.close();
        }
        deleteTree(artifactsDir);
    }

    @BeforeEach
    void startAgent() throws Exception {
        sandbox = Files.createTempDirectory("baton-agent-test");
        home = sandbox.resolve("home");
        appPort = freePort();
        agent = newAgent();
        agent.start();
        api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), token);
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        readPid().ifPresent(seenPids::add);
        ProcessHandle.current().descendants().forEach(p -> seenPids.add(p.pid()));
        for (long pid : seenPids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long pid : seenPids) {
            Pids.waitForExit(pid, Duration.ofSeconds(5));
        }
        deleteTree(sandbox);
    }

    @Test
    void installsTheFirstRelease() throws Exception {
        JsonNode operation = restart(v1, "stop-start");

        assertThat(operation.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(operation)).containsExactly("fetch", "drain", "switch", "start", "ready");
        assertThat(phase(operation, "drain").path("state").asText()).isEqualTo("SKIPPED");
        assertThat(operation.path("previousVersion").isNull()).isTrue();
        assertThat(appVersion()).isEqualTo("1.0.0");

        JsonNode status = api.get("/v1/status").body();
        assertThat(status.path("pid").asLong()).isEqualTo(operation.path("newPid").asLong()).isEqualTo(readPid().orElseThrow());
        assertThat(status.path("running").asBoolean()).isTrue();
        assertThat(status.path("ready").asBoolean()).isTrue();
        assertThat(status.path("current").asText()).isEqualTo("1.0.0");
        assertThat(texts(status.path("releases"))).containsExactly("1.0.0");
        assertThat(status.path("operation").isNull()).isTrue();
        assertThat(Files.readSymbolicLink(home.resolve("current"))).isEqualTo(Path.of("releases", "1.0.0"));
        assertThat(Files.isExecutable(home.resolve("releases/1.0.0/demo-app"))).isTrue();

        JsonNode releases = api.get("/v1/releases").body();
        assertThat(releases.path("current").asText()).isEqualTo("1.0.0");
        assertThat(texts(releases.path("releases"))).containsExactly("1.0.0");
    }

    @Test
    void stopStartDrainsInFlightRequests() throws Exception {
        JsonNode first = restart(v1, "stop-start");
        long oldPid = first.path("newPid").asLong();

        CompletableFuture<HttpResponse<String>> inFlight = appClient.sendAsync(
                HttpRequest.newBuilder(appUri("/work?ms=3000")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        JsonNode operation = restart(v2, "stop-start");

        HttpResponse<String> slow = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slow.body()).contains("1.0.0");
        assertThat(operation.path("state").asText()).as(operation.toString()).isEqualTo("SUCCEEDED");
        assertThat(operation.path("previousVersion").asText()).isEqualTo("1.0.0");
        assertThat(operation.path("oldPid").asLong()).isEqualTo(oldPid);
        assertThat(operation.path("newPid").asLong()).isNotEqualTo(oldPid);
        assertThat(phaseNames(operation)).containsExactly("fetch", "drain", "switch", "start", "ready");
        for (JsonNode phase : operation.path("phases")) {
            assertThat(phase.path("state").asText()).as(phase.toString()).isEqualTo("SUCCEEDED");
            assertThat(phase.path("durationMs").isIntegralNumber()).as(phase.toString()).isTrue();
            assertThat(phase.path("startedAt").asText()).isNotEmpty();
        }
        JsonNode drain = phase(operation, "drain");
        assertThat(drain.path("detail").asText()).startsWith("exited after");
        assertThat(drain.path("durationMs").asLong()).isGreaterThan(1_500);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        assertThat(appVersion()).isEqualTo("2.0.0");
        assertThat(texts(api.get("/v1/releases").body().path("releases"))).containsExactly("1.0.0", "2.0.0");
    }

    @Test
    void rejectsMissingAndWrongTokensWithoutChangingAnything() throws Exception {
        JsonNode installed = restart(v1, "stop-start");
        long pid = installed.path("newPid").asLong();
        String body = ApiClient.restartBody("2.0.0", artifactServer.url(v2.file().getFileName().toString()),
                v2.sha256(), "stop-start");

        for (ApiClient client : List.of(api.withToken(null), api.withToken("wrong-" + token))) {
            for (ApiClient.Answer answer : List.of(
                    client.get("/v1/status"),
                    client.get("/v1/releases"),
                    client.get("/v1/operations/" + installed.path("id").asText()),
                    client.get("/v1/nothing-here"),
                    client.get("/v1/traffic/quiet?quietMs=10&timeoutMs=10"),
                    client.post("/v1/restarts", body))) {
                assertThat(answer.status()).isEqualTo(401);
                assertThat(answer.body().path("error").asText()).isNotBlank().doesNotContain(token);
            }
        }

        Thread.sleep(300);
        JsonNode status = api.get("/v1/status").body();
        assertThat(status.path("current").asText()).isEqualTo("1.0.0");
        assertThat(status.path("pid").asLong()).isEqualTo(pid);
        assertThat(status.path("operation").isNull()).isTrue();
        assertThat(texts(status.path("releases"))).containsExactly("1.0.0");
        assertThat(api.get("/v1/operations/op-2").status()).isEqualTo(404);
    }

    @Test
    void rejectsVersionsThatCouldEscapeTheReleasesDirectory() throws Exception {
        List<String> before = listing(sandbox);
        String url = artifactServer.url(v1.file().getFileName().toString());

        for (String version : List.of("../evil", "..", "/etc", "a/b", "x..y", "", ".hidden", "a".repeat(65),
                "../../../../tmp/evil", "v1\n")) {
            ApiClient.Answer answer = api.post("/v1/restarts", ApiClient.restartBody(version, url, v1.sha256(), "stop-start"));
            assertThat(answer.status()).as("version %s", version).isEqualTo(400);
            assertThat(answer.body().path("error").asText()).as("version %s", version).contains("version");
        }

        assertThat(listing(sandbox)).isEqualTo(before);
        assertThat(listing(home.resolve("releases"))).isEmpty();
        assertThat(Files.exists(home.resolve("current"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(api.get("/v1/status").body().path("operation").isNull()).isTrue();
    }

    @Test
    void wrongChecksumFailsTheFetchAndChangesNothing() throws Exception {
        long pid = restart(v1, "stop-start").path("newPid").asLong();
        String url = artifactServer.url(v2.file().getFileName().toString());

        JsonNode operation = follow(api.post("/v1/restarts", ApiClient.restartBody("2.0.0", url, v1.sha256(), "stop-start")));

        assertThat(operation.path("state").asText()).isEqualTo("FAILED");
        assertThat(operation.path("error").asText()).isEqualTo("sha256 mismatch for " + url);
        assertThat(phaseNames(operation)).containsExactly("fetch");
        assertThat(phase(operation, "fetch").path("state").asText()).isEqualTo("FAILED");
        assertThat(home.resolve("releases/2.0.0")).doesNotExist();
        assertThat(listing(home.resolve("releases"))).containsExactly("1.0.0");
        assertThat(Files.readSymbolicLink(home.resolve("current"))).isEqualTo(Path.of("releases", "1.0.0"));
        assertThat(readPid()).hasValue(pid);
        assertThat(Pids.isAlive(pid)).isTrue();
        assertThat(appVersion()).isEqualTo("1.0.0");
    }

    @Test
    void prefetchInstallsAReleaseWithoutTouchingTheApp() throws Exception {
        long pid = restart(v1, "stop-start").path("newPid").asLong();
        String url = artifactServer.url(v2.file().getFileName().toString());

        ApiClient.Answer prefetched = api.post("/v1/releases", ApiClient.prefetchBody("2.0.0", url, v2.sha256()));

        assertThat(prefetched.status()).as(prefetched.body().toString()).isEqualTo(200);
        assertThat(prefetched.body().path("version").asText()).isEqualTo("2.0.0");
        assertThat(prefetched.body().path("installed").asBoolean()).isTrue();
        assertThat(prefetched.body().path("alreadyInstalled").asBoolean()).isFalse();
        assertThat(prefetched.body().path("durationMs").isIntegralNumber()).isTrue();
        assertThat(Files.isExecutable(home.resolve("releases/2.0.0/demo-app"))).isTrue();
        assertThat(listing(home.resolve("releases"))).containsExactly("1.0.0", "2.0.0");
        assertThat(readPid()).hasValue(pid);
        assertThat(Pids.isAlive(pid)).isTrue();
        assertThat(Files.readSymbolicLink(home.resolve("current"))).isEqualTo(Path.of("releases", "1.0.0"));
        assertThat(appVersion()).isEqualTo("1.0.0");
        JsonNode status = api.get("/v1/status").body();
        assertThat(status.path("pid").asLong()).isEqualTo(pid);
        assertThat(status.path("current").asText()).isEqualTo("1.0.0");
        assertThat(texts(status.path("releases"))).containsExactly("1.0.0", "2.0.0");
        assertThat(status.path("operation").isNull()).isTrue();

        // Installed already, so nothing is downloaded: this URL would fail.
        ApiClient.Answer again = api.post("/v1/releases", ApiClient.prefetchBody("2.0.0",
                artifactServer.url("missing.tar.gz"), v2.sha256()));
        assertThat(again.status()).as(again.body().toString()).isEqualTo(200);
        assertThat(again.body().path("installed").asBoolean()).isTrue();
        assertThat(again.body().path("alreadyInstalled").asBoolean()).isTrue();

        JsonNode operation = restart(v2, "stop-start");
        assertThat(operation.path("state").asText()).as(operation.toString()).isEqualTo("SUCCEEDED");
        assertThat(phase(operation, "fetch").path("state").asText()).isEqualTo("SKIPPED");
        assertThat(appVersion()).isEqualTo("2.0.0");
    }

    @Test
    void prefetchRefusesBadChecksumsDownloadsVersionsAndTokensLeavingNothingBehind() throws Exception {
        String url = artifactServer.url(v2.file().getFileName().toString());

        ApiClient.Answer mismatch = api.post("/v1/releases", ApiClient.prefetchBody("2.0.0", url, v1.sha256()));
        assertThat(mismatch.status()).isEqualTo(422);
        assertThat(mismatch.body().path("error").asText()).isEqualTo("sha256 mismatch for " + url);

        String missingUrl = artifactServer.url("missing.tar.gz");
        ApiClient.Answer unreachable = api.post("/v1/releases", ApiClient.prefetchBody("2.0.0", missingUrl, v2.sha256()));
        assertThat(unreachable.status()).isEqualTo(502);
        assertThat(unreachable.body().path("error").asText()).isEqualTo("download of " + missingUrl + " failed: HTTP 404");

        for (String version : List.of("../evil", "..", "/etc", "a/b", "x..y", "", ".hidden", "a".repeat(65), "v1\n")) {
            ApiClient.Answer answer = api.post("/v1/releases", ApiClient.prefetchBody(version, url, v2.sha256()));
            assertThat(answer.status()).as("version %s", version).isEqualTo(400);
            assertThat(answer.body().path("error").asText()).as("version %s", version).contains("version");
        }
        String sha = v2.sha256();
        for (String body : List.of(
                "{\"version\":\"2.0.0\"}",
                "{\"artifact\":{\"url\":\"" + url + "\",\"sha256\":\"" + sha + "\"}}",
                "{\"version\":\"2.0.0\",\"artifact\":{\"url\":\"ftp://x/y\",\"sha256\":\"" + sha + "\"}}",
                "{\"version\":\"2.0.0\",\"artifact\":{\"url\":\"" + url + "\",\"sha256\":\"abc\"}}",
                "{\"version\":\"2.0.0\",\"strategy\":\"handoff\",\"artifact\":{\"url\":\"" + url
                        + "\",\"sha256\":\"" + sha + "\"}}",
                "{\"version\":\"2.0.0\",\"artifact\":{\"url\":\"" + url + "\",\"sha256\":\"" + sha
                        + "\",\"size\":1}}")) {
            ApiClient.Answer answer = api.post("/v1/releases", body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.body().path("error").asText()).as(body).isNotBlank().doesNotContain("\n");
        }
        assertThat(api.post("/v1/releases", "{\"version\":\"2.0.0\"}").body().path("error").asText())
                .isEqualTo("artifact is required");
        for (ApiClient client : List.of(api.withToken(null), api.withToken("wrong-" + token))) {
            ApiClient.Answer answer = client.post("/v1/releases", ApiClient.prefetchBody("2.0.0", url, sha));
            assertThat(answer.status()).isEqualTo(401);
        }
        assertThat(api.send("DELETE", "/v1/releases", null).status()).isEqualTo(405);

        assertThat(home.resolve("releases/2.0.0")).doesNotExist();
        assertThat(listing(home.resolve("releases"))).isEmpty();
        assertThat(Files.exists(home.resolve("current"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(api.get("/v1/status").body().path("running").asBoolean()).isFalse();
    }

    @Test
    void concurrentPrefetchesInstallOnceAndARestartOfTheSameVersionWaitsForThem() throws Exception {
        String slowUrl = artifactServer.slowUrl(v2.file().getFileName().toString());
        String body = ApiClient.prefetchBody("2.0.0", slowUrl, v2.sha256());
        List<CompletableFuture<ApiClient.Answer>> prefetches = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            prefetches.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return api.post("/v1/releases", body);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> new Thread(runnable, "prefetch-client").start()));
        }
        // A temp dir means one prefetch holds the version and is downloading.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> listing(home.resolve("releases")).stream().anyMatch(name -> name.startsWith(".tmp-")));

        JsonNode operation = restart(v2, "stop-start");

        List<Boolean> already = new ArrayList<>();
        for (CompletableFuture<ApiClient.Answer> prefetch : prefetches) {
            ApiClient.Answer answer = prefetch.get(20, TimeUnit.SECONDS);
            assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
            already.add(answer.body().path("alreadyInstalled").asBoolean());
        }
        assertThat(already).containsExactlyInAnyOrder(false, true);
        assertThat(operation.path("state").asText()).as(operation.toString()).isEqualTo("SUCCEEDED");
        assertThat(phase(operation, "fetch").path("state").asText()).isEqualTo("SKIPPED");
        assertThat(phase(operation, "fetch").path("durationMs").asLong()).isGreaterThan(500);
        assertThat(listing(home.resolve("releases"))).containsExactly("2.0.0");
        assertThat(appVersion()).isEqualTo("2.0.0");
    }

    @Test
    void aSuccessfulRestartRemovesOldReleasesButNeverTheCurrentOrPreviousOne() throws Exception {
        agent.stop();
        agent = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), home, token, null,
                "demo-app -listen 127.0.0.1:" + appPort + " -pidfile {pidfile} -shutdown-timeout 30s",
                appUri("/healthz"), AgentOptions.defaults().withKeepReleases(2)));
        agent.start();
        api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), token);
        restart(v1, "stop-start");
        restart(v2, "stop-start");
        ApiClient.Answer prefetched = api.post("/v1/releases", ApiClient.prefetchBody(broken.version(),
                artifactServer.url(broken.file().getFileName().toString()), broken.sha256()));
        assertThat(prefetched.status()).isEqualTo(200);
        assertThat(listing(home.resolve("releases"))).containsExactly("1.0.0", "2.0.0", "3.0.0-broken");

        // 1.0.0 is installed already: back to it, and 3.0.0-broken (neither current nor previous) goes.
        JsonNode operation = follow(api.post("/v1/restarts", "{\"version\":\"1.0.0\"}"));

        assertThat(operation.path("state").asText()).as(operation.toString()).isEqualTo("SUCCEEDED");
        assertThat(listing(home.resolve("releases"))).containsExactly("1.0.0", "2.0.0");
        assertThat(Files.readSymbolicLink(home.resolve("current"))).isEqualTo(Path.of("releases", "1.0.0"));
        assertThat(appVersion()).isEqualTo("1.0.0");
    }

    @Test
    void handoffServesEveryRequest() throws Exception {
        // v2 is installed beforehand so that the load window covers the hand-off itself, not a download.
        restart(v2, "stop-start");
        long oldPid = restart(v1, "stop-start").path("newPid").asLong();
        AtomicBoolean stop = new AtomicBoolean();
        LoadResult[] load = new LoadResult[1];
        Thread client = new Thread(() -> load[0] = backToBack(stop), "back-to-back-client");
        client.start();
        Thread.sleep(100);

        JsonNode operation = follow(api.post("/v1/restarts", "{\"version\":\"2.0.0\",\"strategy\":\"handoff\"}"));
        Thread.sleep(100);
        stop.set(true);
        client.join(15_000);

        assertThat(operation.path("state").asText()).as(operation.toString()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(operation)).containsExactly("fetch", "switch", "signal", "ready", "drain");
        assertThat(phase(operation, "fetch").path("state").asText()).isEqualTo("SKIPPED");
        long newPid = operation.path("newPid").asLong();
        seenPids.add(newPid);
        assertThat(operation.path("oldPid").asLong()).isEqualTo(oldPid);
        assertThat(newPid).isPositive().isNotEqualTo(oldPid);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        assertThat(load[0].failures()).as("failed requests, first: %s", load[0].firstFailure()).isZero();
        assertThat(load[0].versions()).as("versions served during the hand-off").containsExactlyInAnyOrder("1.0.0", "2.0.0");
        assertThat(appVersion()).isEqualTo("2.0.0");
        assertThat(api.get("/v1/status").body().path("pid").asLong()).isEqualTo(newPid);
        assertThat(Files.readSymbolicLink(home.resolve("current"))).isEqualTo(Path.of("releases", "2.0.0"));
    }

    @Test
    void refusesConcurrentMalformedAndOversizedRequests() throws Exception {
        ApiClient.Answer slow = api.post("/v1/restarts", ApiClient.restartBody("1.0.0",
                artifactServer.slowUrl(v1.file().getFileName().toString()), v1.sha256(), "stop-start"));
        assertThat(slow.status()).isEqualTo(202);
        assertThat(slow.body().path("state").asText()).isEqualTo("RUNNING");
        assertThat(slow.location()).hasValue("/v1/operations/" + slow.body().path("id").asText());

        ApiClient.Answer second = api.post("/v1/restarts", ApiClient.restartBody("1.0.0",
                artifactServer.url(v1.file().getFileName().toString()), v1.sha256(), "stop-start"));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.body().path("error").asText()).contains(slow.body().path("id").asText());
        assertThat(api.get("/v1/status").body().path("operation").asText()).isEqualTo(slow.body().path("id").asText());

        ApiClient.Answer malformed = api.post("/v1/restarts", "{\"version\": \"1.0.0\",");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("error").asText()).startsWith("malformed JSON").doesNotContain("\n");

        ApiClient.Answer oversized = api.post("/v1/restarts",
                "{\"version\":\"1.0.0\",\"pad\":\"" + "x".repeat(100 * 1024) + "\"}");
        assertThat(oversized.status()).isEqualTo(413);
        assertThat(oversized.body().path("error").asText()).isNotBlank();

        assertThat(api.post("/v1/restarts", "{\"version\":\"1.0.0\",\"strategy\":\"yolo\"}").status()).isEqualTo(400);
        assertThat(api.post("/v1/restarts", "{\"version\":\"3.0.0\"}").status()).isEqualTo(400);
        assertThat(api.post("/v1/restarts", "{\"version\":\"1.0.0\",\"drainTimeoutMs\":0,\"artifact\":"
                + "{\"url\":\"http://x/y\",\"sha256\":\"" + v1.sha256() + "\"}}").status()).isEqualTo(400);
        assertThat(api.post("/v1/restarts", "{\"version\":\"1.0.0\",\"artifact\":"
                + "{\"url\":\"ftp://x/y\",\"sha256\":\"" + v1.sha256() + "\"}}").status()).isEqualTo(400);
        assertThat(api.get("/v1/restarts").status()).isEqualTo(405);
        assertThat(api.post("/v1/status", "{}").status()).isEqualTo(405);
        assertThat(api.get("/v1/operations/op-999").status()).isEqualTo(404);
        assertThat(api.get("/v2/anything").status()).isEqualTo(404);

        assertThat(follow(slow).path("state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void killsAfterTheDrainTimeoutAndFailsWhenTheNewReleaseNeverGetsReady() throws Exception {
        long oldPid = restart(v1, "stop-start").path("newPid").asLong();
        CompletableFuture<HttpResponse<String>> tooSlow = appClient.sendAsync(
                HttpRequest.newBuilder(appUri("/work?ms=20000")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        String body = "{\"version\":\"3.0.0-broken\",\"drainTimeoutMs\":500,\"readyTimeoutMs\":2000,\"artifact\":"
                + "{\"url\":\"" + artifactServer.url(broken.file().getFileName().toString())
                + "\",\"sha256\":\"" + broken.sha256().toUpperCase(java.util.Locale.ROOT) + "\"}}";

        JsonNode operation = follow(api.post("/v1/restarts", body));
        seenPids.add(operation.path("newPid").asLong());

        assertThat(operation.path("state").asText()).isEqualTo("FAILED");
        assertThat(phase(operation, "drain").path("detail").asText()).isEqualTo("killed after drain timeout 0.50s");
        assertThat(Pids.isAlive(oldPid)).isFalse();
        assertThat(tooSlow).failsWithin(Duration.ofSeconds(10));
        assertThat(phaseNames(operation)).containsExactly("fetch", "drain", "switch", "start", "ready");
        assertThat(phase(operation, "ready").path("state").asText()).isEqualTo("FAILED");
        assertThat(operation.path("error").asText()).isEqualTo("app not ready after 2s: last answer 503");
        JsonNode status = api.get("/v1/status").body();
        assertThat(status.path("current").asText()).isEqualTo("3.0.0-broken");
        assertThat(status.path("running").asBoolean()).isTrue();
        assertThat(status.path("ready").asBoolean()).isFalse();
    }

    @Test
    void aRestartedAgentAdoptsTheRunningAppAndRelaunchesADeadOne() throws Exception {
        long pid = restart(v1, "stop-start").path("newPid").asLong();

        agent.stop();
        assertThat(Pids.isAlive(pid)).isTrue();
        agent = newAgent();
        agent.start();
        api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), token);
        JsonNode status = api.get("/v1/status").body();
        assertThat(status.path("pid").asLong()).isEqualTo(pid);
        assertThat(status.path("current").asText()).isEqualTo("1.0.0");

        agent.stop();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        assertThat(Pids.waitForExit(pid, Duration.ofSeconds(35))).isTrue();
        agent = newAgent();
        agent.start();
        api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), token);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/v1/status").body().path("ready").asBoolean());
        assertThat(api.get("/v1/status").body().path("pid").asLong()).isNotEqualTo(pid);
        assertThat(appVersion()).isEqualTo("1.0.0");
    }

    @Test
    void trafficIsQuietOnlyOnceTheClientStops() throws Exception {
        restart(v1, "stop-start");
        JsonNode busy;
        try (AppTraffic traffic = AppTraffic.start(appPort, CLIENT_ADDRESS, false)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> traffic.requests() >= 2);

            busy = quiet("quietMs=500&timeoutMs=1500");

            traffic.awaitEnd();
            assertThat(traffic.failure()).isNull();
            assertThat(traffic.connections()).isEqualTo(traffic.requests()).isGreaterThan(15);
        }
        JsonNode quiet = quiet("quietMs=300&timeoutMs=5000");

        assertThat(busy.path("quiet").asBoolean()).as(busy.toString()).isFalse();
        assertThat(busy.path("waitedMs").asLong()).as(busy.toString()).isBetween(1_500L, 2_500L);
        assertThat(busy.path("quietForMs").asLong()).as(busy.toString()).isLessThan(500);
        assertThat(busy.path("samples").asInt()).as(busy.toString()).isGreaterThan(10);
        assertThat(busy.path("port").asInt()).isEqualTo(appPort);
        assertThat(quiet.path("quiet").asBoolean()).as(quiet.toString()).isTrue();
        assertThat(quiet.path("waitedMs").asLong()).as(quiet.toString()).isBetween(300L, 1_000L);
        assertThat(quiet.path("quietForMs").asLong()).as(quiet.toString()).isGreaterThanOrEqualTo(300);
    }

    @Test
    void requestsOnAKeptAliveConnectionAreTraffic() throws Exception {
        restart(v1, "stop-start");
        try (AppTraffic traffic = AppTraffic.start(appPort, CLIENT_ADDRESS, true)) {
            // The connection is open before the first sample: only its growing bytes_received can show the requests.
            await().atMost(Duration.ofSeconds(5)).until(() -> traffic.requests() >= 2);
            int before = traffic.requests();

            JsonNode busy = quiet("quietMs=300&timeoutMs=1500");

            assertThat(busy.path("quiet").asBoolean()).as(busy.toString()).isFalse();
            assertThat(busy.path("waitedMs").asLong()).as(busy.toString()).isBetween(1_500L, 2_500L);
            assertThat(busy.path("openConnections").asInt()).as(busy.toString()).isPositive();
            assertThat(traffic.requests() - before).isGreaterThan(8);
            assertThat(traffic.connections()).isEqualTo(1);
            assertThat(traffic.failure()).isNull();
        }
    }

    @Test
    void trafficFromIgnoredAddressesDoesNotCount() throws Exception {
        restart(v1, "stop-start");
        try (AppTraffic perRequest = AppTraffic.start(appPort, CLIENT_ADDRESS, false);
             AppTraffic keptAlive = AppTraffic.start(appPort, CLIENT_ADDRESS, true)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> perRequest.requests() >= 2 && keptAlive.requests() >= 2);
            int before = perRequest.requests() + keptAlive.requests();

            JsonNode quiet = quiet("quietMs=300&timeoutMs=3000&ignore=127.0.0.5," + CLIENT_ADDRESS);

            assertThat(quiet.path("quiet").asBoolean()).as(quiet.toString()).isTrue();
            assertThat(quiet.path("waitedMs").asLong()).as(quiet.toString()).isBetween(300L, 1_000L);
            assertThat(perRequest.requests() + keptAlive.requests() - before).as("requests during the watch")
                    .isGreaterThanOrEqualTo(4);
            assertThat(perRequest.failure()).isNull();
            assertThat(keptAlive.failure()).isNull();
        }
    }

    @Test
    void quietRefusesBadParameters() throws Exception {
        for (String query : List.of("quietMs=abc", "quietMs=0", "timeoutMs=0", "timeoutMs=600001",
                "ignore=example.com", "ignore=127.0.0.1,,::1", "quiet=500")) {
            ApiClient.Answer answer = api.get("/v1/traffic/quiet?" + query);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.body().path("error").asText()).as(query).isNotBlank().doesNotContain("\n");
        }
        assertThat(api.get("/v1/traffic/quiet?quietMs=abc").body().path("error").asText())
                .isEqualTo("quietMs must be a whole number of milliseconds from 10 to 60000, got 'abc'");
        assertThat(api.post("/v1/traffic/quiet", "{}").status()).isEqualTo(405);
        assertThat(api.withToken(null).get("/v1/traffic/quiet?quietMs=abc").status()).isEqualTo(401);
    }

    // ---- helpers

    private JsonNode quiet(String query) throws IOException, InterruptedException {
        ApiClient.Answer answer = api.get("/v1/traffic/quiet?" + query);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }

    private Agent newAgent() {
        String command = "demo-app -listen 127.0.0.1:" + appPort + " -pidfile {pidfile} -shutdown-timeout 30s";
        return new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), home, token, command,
                appUri("/healthz")));
    }

    private JsonNode restart(DemoAppArtifacts.Artifact artifact, String strategy) throws Exception {
        String url = artifactServer.url(artifact.file().getFileName().toString());
        JsonNode operation = follow(api.post("/v1/restarts",
                ApiClient.restartBody(artifact.version(), url, artifact.sha256(), strategy)));
        if (operation.hasNonNull("newPid")) {
            seenPids.add(operation.path("newPid").asLong());
        }
        return operation;
    }

    private JsonNode follow(ApiClient.Answer accepted) {
        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        String location = accepted.location().orElseThrow();
        JsonNode[] last = new JsonNode[1];
        await().atMost(OPERATION_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get(location).body();
            return !last[0].path("state").asText().equals("RUNNING");
        });
        return last[0];
    }

    private String appVersion() throws IOException, InterruptedException {
        HttpResponse<String> response = appClient.send(
                HttpRequest.newBuilder(appUri("/version")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().trim();
    }

    private URI appUri(String path) {
        return URI.create("http://127.0.0.1:" + appPort + path);
    }

    private java.util.OptionalLong readPid() {
        try {
            return java.util.OptionalLong.of(Long.parseLong(Files.readString(home.resolve("app.pid")).trim()));
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /**
     * {@code GET /version} every 100 ms from {@code source}, for at most 3 s: one HTTP/1.0 connection per request
     * (the app closes it), or every request on one kept-alive HTTP/1.1 connection.
     */
    private static final class AppTraffic implements AutoCloseable {
        private static final long DURATION_NANOS = Duration.ofSeconds(3).toNanos();

        private final int port;
        private final String source;
        private final boolean keepAlive;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread thread;
        private volatile String failure;

        private AppTraffic(int port, String source, boolean keepAlive) {
            this.port = port;
            this.source = source;
            this.keepAlive = keepAlive;
            this.thread = new Thread(this::run, "app-traffic");
        }

        static AppTraffic start(int port, String source, boolean keepAlive) {
            AppTraffic traffic = new AppTraffic(port, source, keepAlive);
            traffic.thread.start();
            return traffic;
        }

        int requests() {
            return requests.get();
        }

        int connections() {
            return connections.get();
        }

        String failure() {
            return failure;
        }

        void awaitEnd() throws InterruptedException {
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            awaitEnd();
        }

        private void run() {
            long end = System.nanoTime() + DURATION_NANOS;
            Socket kept = null;
            try {
                while (!stop.get() && System.nanoTime() - end < 0) {
                    if (!keepAlive) {
                        try (Socket socket = connect()) {
                            send(socket, "GET /version HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
                            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                            if (!response.startsWith("HTTP/1.0 200") && !response.startsWith("HTTP/1.1 200")) {
                                throw new IOException("unexpected answer: " + response.lines().findFirst().orElse(""));
                            }
                        }
                    } else {
                        kept = kept == null ? connect() : kept;
                        send(kept, "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                        readResponse(kept.getInputStream());
                    }
                    requests.incrementAndGet();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                failure = e.toString();
            } finally {
                if (kept != null) {
                    try {
                        kept.close();
                    } catch (IOException ignored) {
                        // nothing was pending on it
                    }
                }
            }
        }

        private Socket connect() throws IOException {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            connections.incrementAndGet();
            return socket;
        }

        private static void send(Socket socket, String request) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Reads one response with a Content-Length body, leaving the connection ready for the next request. */
        private static void readResponse(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (head.length() < 8192 && !head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the app closed the kept-alive connection");
                }
                head.append((char) b);
            }
            if (!head.toString().startsWith("HTTP/1.1 200")) {
                throw new IOException("unexpected answer: " + head.toString().lines().findFirst().orElse(""));
            }
            int length = head.toString().lines()
                    .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                    .map(line -> Integer.parseInt(line.substring("content-length:".length()).trim()))
                    .findFirst().orElseThrow(() -> new IOException("no Content-Length in " + head));
            if (in.readNBytes(length).length != length) {
                throw new IOException("short body");
            }
        }
    }

    private record LoadResult(int requests, int failures, String firstFailure, Set<String> versions) {
    }

    /** One request per connection (HTTP/1.0, no keep-alive), back to back, bounded by 8 s and 5000 requests. */
    private LoadResult backToBack(AtomicBoolean stop) {
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        int requests = 0;
        int failures = 0;
        String firstFailure = null;
        Set<String> versions = new HashSet<>();
        while (!stop.get() && requests < 5000 && System.nanoTime() < deadline) {
            requests++;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", appPort), 2000);
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /version HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (!response.startsWith("HTTP/1.0 200") && !response.startsWith("HTTP/1.1 200")) {
                    failures++;
                    firstFailure = firstFailure == null ? response.lines().findFirst().orElse("(empty)") : firstFailure;
                } else {
                    versions.add(response.substring(response.indexOf("\r\n\r\n") + 4).trim());
                }
            } catch (IOException e) {
                failures++;
                firstFailure = firstFailure == null ? e.toString() : firstFailure;
            }
        }
        return new LoadResult(requests, failures, firstFailure, versions);
    }

    private static List<String> phaseNames(JsonNode operation) {
        List<String> names = new ArrayList<>();
        operation.path("phases").forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    private static JsonNode phase(JsonNode operation, String name) {
        for (JsonNode phase : operation.path("phases")) {
            if (phase.path("name").asText().equals(name)) {
                return phase;
            }
        }
        throw new AssertionError("no phase " + name + " in " + operation);
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
