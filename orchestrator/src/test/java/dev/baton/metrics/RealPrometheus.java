package dev.baton.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.Json;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Debian Prometheus from bin/setup on a free loopback port, scraping static targets every second. */
public final class RealPrometheus implements AutoCloseable {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final Path work;
    private final int port;

    private RealPrometheus(Process process, Path work, int port) {
        this.process = process;
        this.work = work;
        this.port = port;
    }

    /** Scrapes {@code targets} (host:port) at {@code /metrics} as job {@code job}; returns once every target is up. */
    public static RealPrometheus scraping(String job, List<String> targets) throws IOException, InterruptedException {
        return scraping(job, targets, null);
    }

    /** As {@link #scraping(String, List)}, sending {@code bearerToken} (null: none) with every scrape. */
    public static RealPrometheus scraping(String job, List<String> targets, String bearerToken) throws IOException, InterruptedException {
        Path binary = PrometheusTools.find("prometheus");
        Path work = Files.createTempDirectory("baton-prometheus-");
        String authorization = "";
        if (bearerToken != null) {
            Path token = Files.writeString(work.resolve("token"), bearerToken);
            Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            authorization = "    authorization: { type: Bearer, credentials_file: " + token + " }\n";
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path config = Files.writeString(work.resolve("prometheus.yml"), """
                global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
                scrape_configs:
                  - job_name: %s
                    metrics_path: /metrics
                    static_configs: [ { targets: [%s] } ]
                """.formatted(job, String.join(", ", targets.stream().map(t -> "\"" + t + "\"").toList())) + authorization);
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        RealPrometheus prometheus = new RealPrometheus(process, work, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (prometheus.value("count(up{job=\"" + job + "\"} == 1)") < targets.size()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(work.resolve("prometheus.log"));
                prometheus.close();
                throw new IllegalStateException("Prometheus did not scrape " + targets + " within 60 s: " + log);
            }
            Thread.sleep(200);
        }
        return prometheus;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The first sample's value of an instant query, or -1 when it has none (yet) or Prometheus is not up yet. */
    public double value(String promql) throws IOException {
        HttpUrl url = HttpUrl.get(url() + "/api/v1/query").newBuilder().addQueryParameter("query", promql).build();
        try (Response response = HTTP.newCall(new Request.Builder().url(url).build()).execute()) {
            JsonNode result = Json.MAPPER.readTree(response.body().string()).path("data").path("result");
            if (!result.isArray() || result.isEmpty()) return -1;
            return Double.parseDouble(result.get(0).path("value").get(1).asText());
        } catch (java.net.ConnectException notYet) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        try (var paths = Files.walk(work)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
