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
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus (Debian's) scrapes a real Baton server, with a viewer token, during a rollout on a local fleet;
 * its query API then has the step histogram. The same rollout's webhooks reach a real receiver, signed.
 */
class PrometheusScrapeTest {
    private static final String SECRET = "whsec-e2e-" + System.nanoTime();

    @Test
    void prometheusScrapesTheStepHistogramDuringARolloutAndWebhooksTellItsMoments() throws Exception {
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

                try (RealPrometheus prometheus = RealPrometheus.scraping("baton", List.of("127.0.0.1:" + server.port()), harness.viewer)) {
                    // each host stays out of rotation at least 2 s, so that 1 s scrapes see it out
                    String id = api.start(harness.plan("2.0.0", Duration.ofSeconds(2)), harness.deployer);
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                            .until(() -> api.rollout(id, harness.viewer).path("status").asText().matches("SUCCEEDED|FAILED|ROLLED_BACK|ABORTED"));
                    assertThat(api.rollout(id, harness.viewer).path("status").asText()).isEqualTo("SUCCEEDED");

                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                            .until(() -> prometheus.value("sum(baton_step_duration_seconds_bucket{step=\"RESTART\",le=\"+Inf\"})") >= 3);
                    double restarts = prometheus.value("sum(baton_step_duration_seconds_count{step=\"RESTART\",outcome=\"OK\"})");
                    double buckets = prometheus.value("count(baton_step_duration_seconds_bucket{step=\"RESTART\"})");
                    double succeeded = prometheus.value("baton_rollouts_total{status=\"SUCCEEDED\"}");
                    double propagations = prometheus.value("baton_propagation_seconds_count");
                    double maxOut = prometheus.value("max_over_time(baton_hosts_out_of_rotation[5m])");
                    System.out.printf("prometheus: RESTART observations=%.0f bucket series=%.0f, propagations=%.0f, "
                            + "rollouts succeeded=%.0f, max hosts out of rotation=%.0f%n", restarts, buckets, propagations, succeeded, maxOut);
                    assertThat(restarts).isEqualTo(3);
                    assertThat(buckets).isGreaterThan(10);
                    assertThat(propagations).isEqualTo(3);
                    await().atMost(Duration.ofSeconds(10)).until(() -> prometheus.value("baton_rollouts_total{status=\"SUCCEEDED\"}") == 1);
                    assertThat(maxOut).isEqualTo(1);
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

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
