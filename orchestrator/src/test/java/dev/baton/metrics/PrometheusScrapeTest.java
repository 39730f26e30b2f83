package dev.baton.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.api.BatonServer;
import dev.baton.fleet.LocalFleet;
import dev.baton.notify.Signature;
import dev.baton.notify.Webhook;
import dev.baton.notify.WebhookReceiver;
import dev.baton.notify.WebhooksFile;
import dev.baton.server.Api;
import dev.baton.server.ServerHarness;
import dev.baton.store.Json;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus (Debian's) scrapes a real Baton server, with a viewer token, during a rollout on a local fleet;
 * its query API then has the step histogram. The same rollout's webhooks reach a real receiver, signed.
 */
class PrometheusScrapeTest {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
    private static final String SECRET = "whsec-e2e-" + System.nanoTime();

    @Test
    void prometheusScrapesTheStepHistogramDuringARolloutAndWebhooksTellItsMoments() throws Exception {
        Path prometheusBinary = PrometheusTools.find("prometheus");
        Path work = Files.createTempDirectory("baton-prometheus-");
        try (LocalFleet fleet = LocalFleet.start("web", 3, "1.0.0");
             WebhookReceiver receiver = new WebhookReceiver(1, 503)) {
            ServerHarness harness = new ServerHarness(fleet);
            List<Webhook> webhooks = WebhooksFile.load(Files.writeString(work.resolve("webhooks.yaml"), """
                    webhooks:
                      - name: deploys
                        url: "%s"
                        secret: { env: HOOK_SECRET }
                        services: [web]
                        retry: { attempts: 5, backoff: 100ms, maxBackoff: 1s }
                    """.formatted(receiver.url("/baton"))), Map.of("HOOK_SECRET", SECRET)::get);
            try (BatonServer server = BatonServer.start(harness.config().withWebhooks(webhooks))) {
                Api api = new Api(server.url());
                assertThat(api.get("/metrics", null).status()).isEqualTo(401);
                Api.Answer open = api.get("/metrics", harness.viewer);
                assertThat(open.status()).isEqualTo(200);
                assertThat(open.contentType()).startsWith("text/plain; version=0.0.4");

                Process prometheus = startPrometheus(prometheusBinary, work, server.port(), harness.viewer);
                try {
                    int port = prometheusPort(work);
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                            .until(() -> !prometheus.isAlive() || query(port, "up{job=\"baton\"}") == 1.0);
                    assertThat(prometheus.isAlive()).as("prometheus: %s", log(work)).isTrue();

                    // each host stays out of rotation at least 2 s, so that 1 s scrapes see it out
                    String id = api.start(harness.plan("2.0.0", Duration.ofSeconds(2)), harness.deployer);
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                            .until(() -> api.rollout(id, harness.viewer).path("status").asText().matches("SUCCEEDED|FAILED|ROLLED_BACK|ABORTED"));
                    assertThat(api.rollout(id, harness.viewer).path("status").asText()).isEqualTo("SUCCEEDED");

                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                            .until(() -> query(port, "sum(baton_step_duration_seconds_bucket{step=\"RESTART\",le=\"+Inf\"})") >= 3);
                    double restarts = query(port, "sum(baton_step_duration_seconds_count{step=\"RESTART\",outcome=\"OK\"})");
                    double buckets = query(port, "count(baton_step_duration_seconds_bucket{step=\"RESTART\"})");
                    double succeeded = query(port, "baton_rollouts_total{status=\"SUCCEEDED\"}");
                    double propagations = query(port, "baton_propagation_seconds_count");
                    double maxOut = query(port, "max_over_time(baton_hosts_out_of_rotation[5m])");
                    System.out.printf("prometheus: RESTART observations=%.0f bucket series=%.0f, propagations=%.0f, "
                            + "rollouts succeeded=%.0f, max hosts out of rotation=%.0f%n", restarts, buckets, propagations, succeeded, maxOut);
                    assertThat(restarts).isEqualTo(3);
                    assertThat(buckets).isGreaterThan(10);
                    assertThat(propagations).isEqualTo(3);
                    await().atMost(Duration.ofSeconds(10)).until(() -> query(port, "baton_rollouts_total{status=\"SUCCEEDED\"}") == 1);
                    assertThat(maxOut).isEqualTo(1);
                } finally {
                    stop(prometheus);
                }

                String scrape = api.get("/metrics", harness.viewer).text();
                PrometheusTools.Checked checked = PrometheusTools.checkMetrics(scrape);
                assertThat(checked.exit()).as("promtool check metrics said:\n%s", checked.output()).isZero();

                await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().stream()
                        .anyMatch(r -> r.answered() == 200 && "succeeded".equals(r.event())));
                List<WebhookReceiver.Received> delivered = receiver.received().stream().filter(r -> r.answered() == 200).toList();
                assertThat(delivered).extracting(WebhookReceiver.Received::event)
                        .startsWith("started").endsWith("succeeded").contains("batch-done");
                for (WebhookReceiver.Received r : delivered) {
                    assertThat(Signature.verify(r.signature(), SECRET.getBytes(StandardCharsets.UTF_8), r.body(), Instant.now(),
                            Signature.REPLAY_WINDOW)).isTrue();
                    JsonNode body = Json.MAPPER.readTree(r.body());
                    assertThat(body.path("rollout").path("service").asText()).isEqualTo("web");
                    assertThat(r.text()).doesNotContain(fleet.agentToken()).doesNotContain(SECRET);
                }
                assertThat(receiver.received().get(0).answered()).as("the receiver's first answer was a failure").isEqualTo(503);
                assertThat(scrape).contains("baton_webhook_deliveries_total{result=\"retried\"} 1.0");
            }
        } finally {
            deleteTree(work);
        }
    }

    private static Process startPrometheus(Path binary, Path work, int batonPort, String viewerToken) throws IOException {
        Path token = Files.writeString(work.resolve("baton-token"), viewerToken);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.writeString(work.resolve("port"), Integer.toString(port));
        Path config = Files.writeString(work.resolve("prometheus.yml"), """
                global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
                scrape_configs:
                  - job_name: baton
                    metrics_path: /metrics
                    authorization: { type: Bearer, credentials_file: %s }
                    static_configs: [ { targets: ["127.0.0.1:%d"] } ]
                """.formatted(token, batonPort));
        return new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    }

    private static int prometheusPort(Path work) throws IOException {
        return Integer.parseInt(Files.readString(work.resolve("port")));
    }

    /** The value of a query's first sample, or -1 when it has none (yet). */
    private static double query(int port, String promql) throws IOException {
        HttpUrl url = HttpUrl.get("http://127.0.0.1:" + port + "/api/v1/query").newBuilder().addQueryParameter("query", promql).build();
        try (Response response = HTTP.newCall(new Request.Builder().url(url).build()).execute()) {
            JsonNode result = Json.MAPPER.readTree(response.body().string()).path("data").path("result");
            if (!result.isArray() || result.isEmpty()) return -1;
            return Double.parseDouble(result.get(0).path("value").get(1).asText());
        } catch (java.net.ConnectException notYet) {
            return -1;
        }
    }

    private static String log(Path work) {
        try {
            return Files.readString(work.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
