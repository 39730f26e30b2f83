package dev.baton.notify;

import dev.baton.fleet.Tools;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A real Consul dev agent (the binary bin/setup builds) on a random loopback address, for the pending-delivery store. */
public final class TestConsul implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final HttpUrl url;

    private TestConsul(Process process, Path log, HttpUrl url) {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    public static TestConsul start() throws IOException, InterruptedException {
        Path consul = Tools.consul();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String ip = "127." + random.nextInt(100, 120) + "." + random.nextInt(1, 255) + "." + random.nextInt(2, 255);
        Path log = Files.createTempFile("baton-notify-consul-", ".log");
        Process process = new ProcessBuilder(consul.toString(), "agent", "-dev", "-bind", ip, "-client", ip, "-node", "baton-notify",
                "-log-level", "warn", "-hcl", "ports { grpc = -1 grpc_tls = -1 dns = -1 }")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestConsul agent = new TestConsul(process, log, HttpUrl.get("http://" + ip + ":8500/"));
        OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                agent.close();
                throw new IllegalStateException("Consul did not start at " + ip + ": " + Files.readString(log));
            }
            try (Response r = http.newCall(new Request.Builder().url(agent.url + "v1/status/leader").build()).execute()) {
                if (r.isSuccessful() && r.body().string().length() > 2) return agent;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
    }

    public HttpUrl url() {
        return url;
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
