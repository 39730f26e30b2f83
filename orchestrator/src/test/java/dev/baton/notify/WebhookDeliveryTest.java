package dev.baton.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.consul.ConsulDevAgent;
import dev.baton.rollout.Event;
import dev.baton.rollout.Step;
import dev.baton.store.ConsulKv;
import dev.baton.store.Json;
import dev.baton.store.RolloutStatus;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Webhooks delivered to a real HTTP receiver, with the pending queue in a real Consul. */
class WebhookDeliveryTest {
    private static final String SECRET = "whsec-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    private static final RolloutObserver.Rollout ROLLOUT = new RolloutObserver.Rollout("r-20261129-0001", "web", "2.0.0", false);
    private static ConsulDevAgent consul;
    private static ConsulKv kv;
    private final OkHttpClient http = new OkHttpClient();

    @BeforeAll
    static void startConsul() throws Exception {
        consul = ConsulDevAgent.start();
        kv = new ConsulKv(new OkHttpClient(), consul.url(), null);
    }

    @AfterAll
    static void stopConsul() {
        if (consul != null) consul.close();
    }

    @BeforeEach
    void emptyQueue() {
        for (String key : kv.keys(PendingDeliveries.PREFIX)) kv.delete(key);
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheSignedDeliveryOnTheThirdAttempt() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(2, 503);
             WebhookNotifier notifier = notifier(receiver.url("/hooks/deploys?token=abc"), "json", "{ attempts: 5, backoff: 50ms, maxBackoff: 200ms }", 1000)) {
            notifier.start();
            notifier.ended(ROLLOUT, RolloutStatus.SUCCEEDED, "3 hosts rolled");

            await().atMost(Duration.ofSeconds(10)).until(() -> notifier.stats().delivered() == 1);
            List<WebhookReceiver.Received> got = receiver.received();
            assertThat(got).extracting(WebhookReceiver.Received::answered).containsExactly(503, 503, 200);
            WebhookReceiver.Received last = got.get(2);
            assertThat(Signature.verify(last.signature(), SECRET.getBytes(StandardCharsets.UTF_8), last.body(), Instant.now(),
                    Signature.REPLAY_WINDOW)).as("signature of %s", last.signature()).isTrue();
            assertThat(Signature.verify(last.signature(), "another".getBytes(StandardCharsets.UTF_8), last.body(), Instant.now(),
                    Signature.REPLAY_WINDOW)).isFalse();
            JsonNode body = Json.MAPPER.readTree(last.body());
            assertThat(body.path("event").asText()).isEqualTo("succeeded");
            assertThat(body.path("rollout").path("id").asText()).isEqualTo(ROLLOUT.id());
            assertThat(body.path("detail").asText()).isEqualTo("3 hosts rolled");
            assertThat(last.event()).isEqualTo("succeeded");
            // every attempt is the same delivery: a receiver drops repeats by this id
            assertThat(got).extracting(WebhookReceiver.Received::delivery).containsOnly(body.path("id").asText());
            assertThat(notifier.stats()).isEqualTo(new WebhookNotifier.Stats(1, 2, 0, 0, 0));
            await().atMost(Duration.ofSeconds(5)).until(() -> kv.keys(PendingDeliveries.PREFIX).isEmpty());
        }
    }

    @Test
    void aRestartedNotifierResumesThePendingDeliveryFromConsul() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(Integer.MAX_VALUE, 500)) {
            String url = receiver.url("/hooks");
            String eventId;
            try (WebhookNotifier first = notifier(url, "json", "{ attempts: 10, backoff: 2s, maxBackoff: 2s }", 1000)) {
                first.start();
                first.event(ROLLOUT, Event.rollout(Instant.now(), Step.ROLLOUT, Event.Outcome.STARTED, null, "web -> 2.0.0"));
                await().atMost(Duration.ofSeconds(10)).until(() -> first.stats().retried() == 1);
                eventId = receiver.received().get(0).delivery();
                await().atMost(Duration.ofSeconds(5)).until(() -> storedAttempts() >= 1);
            }
            // what Consul keeps names the webhook, never its URL or secret
            String stored = new String(kv.list(PendingDeliveries.PREFIX).get(0).value(), StandardCharsets.UTF_8);
            assertThat(stored).contains("\"webhook\":\"deploys\"").doesNotContain(SECRET).doesNotContain("127.0.0.1");

            receiver.succeed();
            int before = receiver.received().size();
            try (WebhookNotifier second = notifier(url, "json", "{ attempts: 10, backoff: 50ms, maxBackoff: 100ms }", 1000)) {
                // nothing in memory: only what the first one left in Consul, with its attempts and next-attempt time
                assertThat(second.stats().pending()).isZero();
                second.start();
                assertThat(second.stats().pending()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> second.stats().delivered() == 1);
            }
            List<WebhookReceiver.Received> after = receiver.received().subList(before, receiver.received().size());
            assertThat(after).extracting(WebhookReceiver.Received::answered).containsExactly(200);
            assertThat(after.get(0).delivery()).isEqualTo(eventId);
            assertThat(Json.MAPPER.readTree(after.get(0).body()).path("event").asText()).isEqualTo("started");
            await().atMost(Duration.ofSeconds(5)).until(() -> kv.keys(PendingDeliveries.PREFIX).isEmpty());
        }
    }

    @Test
    void redirectsAreNotFollowedAndAClientErrorIsNotRetried() throws Exception {
        try (WebhookReceiver elsewhere = new WebhookReceiver(0, 200);
             WebhookReceiver redirecting = new WebhookReceiver(0, 200);
             WebhookReceiver refusing = new WebhookReceiver(Integer.MAX_VALUE, 404)) {
            redirecting.redirectTo(elsewhere.url("/stolen"));
            try (WebhookNotifier viaRedirect = notifier(redirecting.url("/"), "json", "{ attempts: 5, backoff: 10ms }", 1000);
                 WebhookNotifier viaRefusal = notifier(refusing.url("/"), "json", "{ attempts: 5, backoff: 10ms }", 1000)) {
                viaRedirect.start();
                viaRefusal.start();
                viaRedirect.ended(ROLLOUT, RolloutStatus.FAILED, "web-2 did not become healthy");
                viaRefusal.ended(ROLLOUT, RolloutStatus.FAILED, "web-2 did not become healthy");
                await().atMost(Duration.ofSeconds(10)).until(() -> viaRedirect.stats().failed() == 1 && viaRefusal.stats().failed() == 1);
            }
            assertThat(redirecting.received()).hasSize(1);
            assertThat(refusing.received()).hasSize(1);
            assertThat(elsewhere.received()).isEmpty();
        }
    }

    @Test
    void aHangingReceiverHoldsNeitherTheRolloutNorASenderBeyondTheTimeout() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(0, 200)) {
            receiver.hang(Duration.ofSeconds(5));
            String yaml = "webhooks:\n  - name: slow\n    url: \"" + receiver.url("/") + "\"\n    format: slack\n"
                    + "    retry: { attempts: 2, backoff: 10ms, maxBackoff: 10ms }\n    timeout: 500ms\n";
            try (WebhookNotifier notifier = new WebhookNotifier(WebhooksFile.parse("test", yaml, Map.<String, String>of()::get), kv,
                    http, 1000, 2)) {
                notifier.start();
                long start = System.nanoTime();
                for (int i = 0; i < 200; i++) {
                    notifier.event(ROLLOUT, Event.rollout(Instant.now(), Step.BATCH, Event.Outcome.OK, Duration.ofSeconds(1), "batch " + i));
                }
                Duration enqueueing = Duration.ofNanos(System.nanoTime() - start);
                assertThat(enqueueing).as("200 events on the rollout's thread").isLessThan(Duration.ofMillis(500));
                // the receiver holds each request 5 s; two senders giving up on each attempt after 500 ms get through
                // at least four attempts in 3 s
                await().atMost(Duration.ofSeconds(3)).until(() -> notifier.stats().retried() >= 4);
                assertThat(notifier.stats().delivered()).isZero();
            }
        }
    }

    @Test
    void aFullQueueDropsTheOldestAndCountsIt() throws Exception {
        try (WebhookNotifier notifier = notifier("http://127.0.0.1:9/never", "json", null, 2)) {
            // not started: nothing is sent, the queue only fills
            for (RolloutStatus status : List.of(RolloutStatus.SUCCEEDED, RolloutStatus.FAILED, RolloutStatus.ABORTED)) {
                notifier.ended(ROLLOUT, status, status.name());
            }
            assertThat(notifier.stats().dropped()).isEqualTo(1);
            assertThat(notifier.stats().pending()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> kv.keys(PendingDeliveries.PREFIX).size() == 2);
            List<String> kept = kv.list(PendingDeliveries.PREFIX).stream()
                    .map(e -> new String(e.value(), StandardCharsets.UTF_8)).toList();
            assertThat(kept).noneMatch(v -> v.contains("\"event\":\"succeeded\""));
            assertThat(kept).anyMatch(v -> v.contains("\"event\":\"aborted\""));
        }
    }

    @Test
    void aSlackWebhookGetsTextWithTheEventsMarkupDefused() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(0, 200);
             WebhookNotifier notifier = notifier(receiver.url("/services/T0/B0/xyz"), "slack", null, 1000)) {
            notifier.start();
            notifier.event(ROLLOUT, Event.rollout(Instant.now(), Step.CANARY, Event.Outcome.STARTED, null,
                    "canary done; <!channel> promote with baton promote"));
            await().atMost(Duration.ofSeconds(10)).until(() -> notifier.stats().delivered() == 1);
            JsonNode body = Json.MAPPER.readTree(receiver.received().get(0).body());
            assertThat(body.size()).isEqualTo(1);
            assertThat(body.path("text").asText()).startsWith("Baton: web 2.0.0 canary waiting — r-20261129-0001: canary done;")
                    .contains("&lt;!channel&gt;").doesNotContain("<!channel>");
        }
    }

    @Test
    void hostEventsAndUnwantedKindsSendNothing() throws Exception {
        try (WebhookNotifier notifier = notifier("http://127.0.0.1:9/never", "json", null, 1000)) {
            notifier.event(ROLLOUT, new Event(Instant.now(), "web-1", Step.RESTART, Event.Outcome.FAILED, Duration.ofSeconds(1),
                    "boom", "2.0.0", null, Map.of()));
            notifier.event(ROLLOUT, Event.rollout(Instant.now(), Step.BATCH, Event.Outcome.STARTED, null, "batch 1"));
            notifier.event(ROLLOUT, Event.rollout(Instant.now(), Step.HOOK, Event.Outcome.OK, Duration.ZERO, "hook"));
            assertThat(notifier.stats().pending()).isZero();
            notifier.event(ROLLOUT, Event.rollout(Instant.now(), Step.BATCH, Event.Outcome.OK, Duration.ofSeconds(3), "batch 1"));
            notifier.event(ROLLOUT, Event.rollout(Instant.now(), Step.PAUSE, Event.Outcome.STARTED, null, "paused by operator"));
            assertThat(notifier.stats().pending()).isEqualTo(2);
        }
    }

    private int storedAttempts() {
        List<ConsulKv.Entry> entries = kv.list(PendingDeliveries.PREFIX);
        if (entries.size() != 1) return -1;
        try {
            return Json.MAPPER.readTree(entries.get(0).value()).path("attempts").asInt();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private WebhookNotifier notifier(String url, String format, String retry, int capacity) throws WebhooksFile.Invalid {
        String yaml = "webhooks:\n  - name: deploys\n    url: \"" + url + "\"\n    format: " + format + "\n"
                + (format.equals("json") ? "    secret: { env: HOOK_SECRET }\n" : "")
                + (retry == null ? "" : "    retry: " + retry + "\n") + "    timeout: 2s\n";
        List<Webhook> webhooks = WebhooksFile.parse("test", yaml, Map.of("HOOK_SECRET", SECRET)::get);
        return new WebhookNotifier(webhooks, kv, http, capacity, 2);
    }
}
