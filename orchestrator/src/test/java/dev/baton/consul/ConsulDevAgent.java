package dev.baton.consul;

import dev.baton.fleet.Tools;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real Consul agent in dev mode (the binary bin/setup builds) on its own random loopback address, and a
 * raw HTTP client for setting up what the tests need, without going through the code under test.
 */
public final class ConsulDevAgent implements AutoCloseable {
    static final String NODE = "baton-consul-test";
    private static final MediaType JSON = MediaType.get("application/json");

    private final Process process;
    private final Path log;
    private final String ip;
    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();

    private ConsulDevAgent(Process process, Path log, String ip) {
        this.process = process;
        this.log = log;
        this.ip = ip;
    }

    public static ConsulDevAgent start() throws IOException, InterruptedException {
        Path consul = Tools.consul();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String ip = "127." + random.nextInt(20, 100) + "." + random.nextInt(1, 255) + "." + random.nextInt(2, 255);
        Path log = Files.createTempFile("baton-consul-test-", ".log");
        Process process = new ProcessBuilder(consul.toString(), "agent", "-dev", "-bind", ip, "-client", ip, "-node", NODE,
                "-log-level", "warn", "-hcl", "ports { grpc = -1 grpc_tls = -1 dns = -1 }")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ConsulDevAgent agent = new ConsulDevAgent(process, log, ip);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                agent.close();
                throw new IllegalStateException("Consul did not start at " + ip + ": " + Files.readString(log));
            }
            try {
                String leader = agent.get("v1/status/leader");
                if (leader != null && leader.length() > 2) return agent;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
    }

    public HttpUrl url() {
        return HttpUrl.get("http://" + ip + ":8500/");
    }

    String ip() {
        return ip;
    }

    /** The body of a GET, or null on 404. */
    String get(String encodedPath) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(url() + encodedPath).build()).execute()) {
            if (response.code() == 404) return null;
            if (!response.isSuccessful()) throw new IOException(response.code() + " " + response.body().string());
            return response.body().string();
        }
    }

    void put(String encodedPath, String json) throws IOException {
        RequestBody body = RequestBody.create(json == null ? "" : json, JSON);
        try (Response response = http.newCall(new Request.Builder().url(url() + encodedPath).put(body).build()).execute()) {
            if (!response.isSuccessful()) throw new IOException(encodedPath + ": " + response.code() + " " + response.body().string());
        }
    }

    /** Sends a signal to the agent (STOP: it freezes, requests wait; CONT: it goes on). */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (kill.waitFor() != 0) throw new IOException("kill -" + signal + ": " + new String(kill.getInputStream().readAllBytes()));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a temp log left behind
        }
    }
}
