package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.app.Pids;
import dev.baton.agent.app.ProcessControlConfig;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One agent home and app port for a test whose app is run by a real supervisor (runit, supervisord, systemd) or
 * by the agent with a non-default setting: builds the demo app releases once, starts the in-process agent with a strategy, follows operations,
 * asks the app which release and pid serve, and kills every process it saw at the end.
 */
final class SupervisedApp implements AutoCloseable {

    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(90);

    private static Path artifactsDir;
    private static ArtifactServer artifactServer;
    private static DemoAppArtifacts.Artifact v1;
    private static DemoAppArtifacts.Artifact v2;

    final Path sandbox;
    final Path home;
    final int appPort;
    private final String token = UUID.randomUUID().toString();
    private final Set<Long> seenPids = ConcurrentHashMap.newKeySet();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Agent agent;
    private ApiClient api;

    SupervisedApp() throws IOException {
        sandbox = Files.createTempDirectory("baton-supervised");
        home = sandbox.resolve("home");
        appPort = freePort();
    }

    static synchronized void buildReleases() throws Exception {
        if (artifactServer != null) return;
        artifactsDir = Files.createTempDirectory("baton-supervised-artifacts");
        DemoAppArtifacts builder = DemoAppArtifacts.in(artifactsDir);
        v1 = builder.build("1.0.0");
        v2 = builder.build("2.0.0");
        artifactServer = new ArtifactServer(artifactsDir);
    }

    static synchronized void removeReleases() throws IOException {
        if (artifactServer != null) artifactServer.close();
        artifactServer = null;
        if (artifactsDir != null) deleteTree(artifactsDir);
    }

    static DemoAppArtifacts.Artifact v1() {
        return v1;
    }

    static DemoAppArtifacts.Artifact v2() {
        return v2;
    }

    /** The demo app's command line under a supervisor: through {@code current}, so a start picks up the switched release. */
    String appCommandLine(String handoffSignal) {
        return home.resolve("current/demo-app") + " -listen 127.0.0.1:" + appPort + " -pidfile " + home.resolve("app.pid")
                + " -shutdown-timeout 20s -handoff-signal " + handoffSignal + " -takeover-socket " + home.resolve("takeover.sock");
    }

    void startAgent(ProcessControlConfig control) throws IOException {
        startAgent(null, control);
    }

    /** @param appCommand the app's command line for the {@code process} strategy, null under a supervisor */
    void startAgent(String appCommand, ProcessControlConfig control) throws IOException {
        agent = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), home, token, null, appCommand,
                appUri("/healthz"), AgentOptions.defaults().withProcessControl(control)));
        agent.start();
        api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), token);
    }

    /** Something to stop at the end, after the agent and before the sweep of leftover processes. */
    void onClose(AutoCloseable resource) {
        resources.add(resource);
    }

    ApiClient api() {
        return api;
    }

    JsonNode restart(DemoAppArtifacts.Artifact artifact, String strategy) throws Exception {
        String url = artifactServer.url(artifact.file().getFileName().toString());
        JsonNode operation = follow(api.post("/v1/restarts",
                ApiClient.restartBody(artifact.version(), url, artifact.sha256(), strategy)));
        for (String field : List.of("oldPid", "newPid")) {
            if (operation.hasNonNull(field)) seenPids.add(operation.path(field).asLong());
        }
        return operation;
    }

    JsonNode follow(ApiClient.Answer accepted) {
        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        String location = accepted.location().orElseThrow();
        JsonNode[] last = new JsonNode[1];
        await().atMost(OPERATION_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get(location).body();
            return !last[0].path("state").asText().equals("RUNNING");
        });
        return last[0];
    }

    /** "hello from 2.0.0 pid 123": which release and which process (as the app sees its pid) answered. */
    Served served() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(appUri("/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        String[] words = response.body().trim().split(" ");
        assertThat(words).as(response.body()).hasSize(5);
        // not swept at the end: under systemd-nspawn this pid is the container's, not the host's
        return new Served(words[2], Long.parseLong(words[4]));
    }

    /** The pid that served before the hand-off, and the hand-off's operation. */
    record HandOff(long oldPid, JsonNode operation) {
    }

    /**
     * Installs 1.0.0 by stop-start, then hands off to 2.0.0 while a connect loop probes the app's port, waiting for
     * {@code settled} (null: nothing to wait for) before the probe stops; no connection may be refused throughout.
     */
    HandOff handOffWhileProbing(java.util.concurrent.Callable<Boolean> settled) throws Exception {
        JsonNode first = restart(v1(), "stop-start");
        assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
        JsonNode handOff;
        try (ConnectProbe probe = new ConnectProbe(appPort)) {
            Thread.sleep(200);
            handOff = restart(v2(), "handoff");
            if (settled != null) await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(settled);
            Thread.sleep(300);
            probe.close();
            assertThat(probe.attempts()).isGreaterThan(50);
            assertThat(probe.refused()).as("connections refused during the hand-off").isZero();
        }
        assertThat(handOff.path("state").asText()).as(handOff.toString()).isEqualTo("SUCCEEDED");
        return new HandOff(first.path("newPid").asLong(), handOff);
    }

    record Served(String version, long pid) {
    }

    URI appUri(String path) {
        return URI.create("http://127.0.0.1:" + appPort + path);
    }

    static List<String> phaseNames(JsonNode operation) {
        List<String> names = new ArrayList<>();
        operation.path("phases").forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    static JsonNode phase(JsonNode operation, String name) {
        for (JsonNode phase : operation.path("phases")) {
            if (phase.path("name").asText().equals(name)) return phase;
        }
        return fail("no phase " + name + " in " + operation);
    }

    /**
     * Opens a TCP connection to the app every few milliseconds until stopped (at most 60 s) and counts refusals:
     * a listening socket that stays open never refuses.
     */
    static final class ConnectProbe implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger attempts = new AtomicInteger();
        private final AtomicInteger refused = new AtomicInteger();
        private final Thread thread;

        ConnectProbe(int port) {
            thread = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!stop.get() && System.nanoTime() < end) {
                    attempts.incrementAndGet();
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                    } catch (ConnectException e) {
                        refused.incrementAndGet();
                    } catch (IOException e) {
                        refused.incrementAndGet();
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "connect-probe");
            thread.setDaemon(true);
            thread.start();
        }

        int attempts() {
            return attempts.get();
        }

        int refused() {
            return refused.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5_000);
        }
    }

    /** Fails, never skips, when a supervisor's program is missing: the message names the set-up command. */
    static Path require(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return Path.of(dir, program);
        }
        return fail(program + " is not on PATH; run bin/setup (it installs Debian's " + debianPackage + ")");
    }

    /** Runs a command to its end (at most 30 s) and returns its output; fails the test if it cannot. */
    static String run(List<String> argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", argv) + " did not finish within 30s");
        }
        return new String(process.getInputStream().readAllBytes()).trim();
    }

    void sawPid(long pid) {
        seenPids.add(pid);
    }

    @Override
    public void close() throws Exception {
        if (agent != null) agent.stop();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // keep sweeping: a test's leftovers must not outlive it
            }
        }
        ProcessHandle.current().descendants().forEach(p -> seenPids.add(p.pid()));
        for (long pid : seenPids) {
            ProcessHandle.of(pid).filter(p -> p.pid() != ProcessHandle.current().pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long pid : seenPids) {
            Pids.waitForExit(pid, Duration.ofSeconds(5));
        }
        deleteTree(sandbox);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
