package dev.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.Json;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code baton server} in a JVM of its own on 127.0.0.1 (the current classpath: the bench's jar or the tests'),
 * on a fleet's Consul, for scenarios that kill it or race two of them; with a small client of its API.
 */
public final class BatonServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("baton server listening on (http://\\S+)");
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(15)).build();

    private final String name;
    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<String> url = new CompletableFuture<>();
    private final String token;
    private volatile Instant killedAt;
    private final Thread cleanup;

    private BatonServerProcess(String name, Process process, String token) {
        this.name = name;
        this.process = process;
        this.token = token;
        this.cleanup = new Thread(process::destroyForcibly, name + "-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Thread reader = new Thread(this::read, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a server whose single admin token is {@code apiToken}; the agents' token goes in its environment. */
    public static BatonServerProcess start(String name, String consul, Path dir, String apiToken, String agentToken, Path log)
            throws IOException, InterruptedException {
        Path tokens = dir.resolve(name + ".tokens");
        Files.writeString(tokens, "admin " + apiToken + "\n");
        Files.setPosixFilePermissions(tokens, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.baton.cli.BatonMain", "server",
                "--listen", "127.0.0.1:0", "--consul", consul, "--tokens-file", tokens.toString())
                .redirectErrorStream(true);
        builder.environment().put("BATON_AGENT_TOKEN", agentToken);
        BatonServerProcess server = new BatonServerProcess(name, builder.start(), apiToken);
        server.logTo(log);
        try {
            server.url.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.kill();
            throw new IOException(name + " did not start: " + String.join("\n", server.output()), e);
        }
        return server;
    }

    private volatile Path log;

    private void logTo(Path file) {
        this.log = file;
    }

    public String name() {
        return name;
    }

    public String url() {
        return url.getNow(null);
    }

    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** The server JVM's process id (its memory and CPU are read from /proc). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** When {@link #kill} was called, or null. */
    public Instant killedAt() {
        return killedAt;
    }

    /** SIGKILL: no shutdown hook runs, nothing is put back. */
    public void kill() throws InterruptedException {
        if (killedAt == null) killedAt = Instant.now();
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process stalls, as in a long GC pause, until {@link #carryOn}; returns when it was stopped. */
    public Instant stall() throws IOException, InterruptedException {
        Instant at = Instant.now();
        signal("STOP");
        return at;
    }

    /** SIGCONT after {@link #stall}. */
    public void carryOn() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8).strip());
        }
    }

    /** POST /api/v1/rollouts: the status code and body. */
    public Answer start(String plan) throws IOException {
        return call(new Request.Builder().url(url() + "/api/v1/rollouts")
                .post(RequestBody.create(plan.getBytes(StandardCharsets.UTF_8), MediaType.get("application/yaml"))));
    }

    public JsonNode rollout(String id) throws IOException {
        Answer answer = call(new Request.Builder().url(url() + "/api/v1/rollouts/" + id).get());
        if (answer.status() != 200) throw new IOException(name + ": GET rollout " + id + ": " + answer.status() + " " + answer.text());
        return answer.json();
    }

    /** GET an API path (e.g. {@code /api/v1/leader}) with the admin token. */
    public Answer get(String path) throws IOException {
        return call(new Request.Builder().url(url() + path).get());
    }

    /** POST a YAML body to an API path with the admin token. */
    public Answer post(String path, String body) throws IOException {
        return call(new Request.Builder().url(url() + path)
                .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), MediaType.get("application/yaml"))));
    }

    public record Answer(int status, String text) {
        public JsonNode json() throws IOException {
            return Json.MAPPER.readTree(text);
        }
    }

    private Answer call(Request.Builder request) throws IOException {
        try (Response response = HTTP.newCall(request.header("Authorization", "Bearer " + token).build()).execute()) {
            return new Answer(response.code(), response.body() == null ? "" : response.body().string());
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                Path file = log;
                if (file != null) {
                    try {
                        Files.writeString(file, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    } catch (IOException ignored) {
                        // the log is a convenience
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) url.complete(m.group(1));
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            url.completeExceptionally(new IOException(name + " exited"));
        }
    }

    /** SIGTERM (the server puts back what it took out), SIGKILL after 100 s. */
    @Override
    public void close() throws InterruptedException {
        try {
            if (!process.isAlive()) return;
            process.destroy();
            if (!process.waitFor(100, TimeUnit.SECONDS)) kill();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook itself is running
            }
        }
    }
}
