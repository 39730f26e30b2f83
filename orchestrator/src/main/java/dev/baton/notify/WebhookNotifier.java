package dev.baton.notify;

import dev.baton.rollout.Event;
import dev.baton.store.ConsulKv;
import dev.baton.store.Redactor;
import dev.baton.store.RolloutStatus;
import dev.baton.store.StoreException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the configured webhooks about rollouts. The rollout's thread only puts a delivery in a bounded queue
 * ({@link DeliveryQueue}); sender threads post it, signed, and retry failures with backoff; every delivery not yet
 * done is also kept in Consul KV ({@link PendingDeliveries}) and resumed by {@link #start} after a restart.
 * Delivery is at least once: receivers drop repeats by the body's {@code id} (also {@code X-Baton-Delivery}).
 */
public final class WebhookNotifier implements RolloutObserver, AutoCloseable {
    public static final int DEFAULT_CAPACITY = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Duration IDLE_WAKE = Duration.ofSeconds(1);

    /** Counts since this server started; {@code pending} is the queue now. */
    public record Stats(long delivered, long retried, long failed, long dropped, int pending) {
    }

    private final Map<String, Webhook> webhooks = new LinkedHashMap<>();
    private final Map<String, OkHttpClient> clients = new LinkedHashMap<>();
    private final DeliveryQueue queue;
    private final PendingDeliveries stored;
    private final int senderCount;
    private final List<Thread> senders = new ArrayList<>();
    private final Redactor redactor = Redactor.urlsOnly();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;

    public WebhookNotifier(List<Webhook> webhooks, ConsulKv kv, OkHttpClient http, int capacity, int senderCount) {
        for (Webhook w : webhooks) {
            this.webhooks.put(w.name(), w);
            this.clients.put(w.name(), http.newBuilder().followRedirects(false).followSslRedirects(false)
                    .connectTimeout(w.timeout()).readTimeout(w.timeout()).writeTimeout(w.timeout()).callTimeout(w.timeout())
                    .retryOnConnectionFailure(false).build());
        }
        this.queue = new DeliveryQueue(capacity);
        this.stored = new PendingDeliveries(kv, capacity * 4);
        this.senderCount = senderCount;
    }

    /**
     * Resumes the deliveries a previous run (or the last leader) left in Consul, then starts sending. Again after
     * {@link #stop}: a server sends only while it leads.
     */
    public synchronized void start() {
        if (webhooks.isEmpty() || running) return;
        List<Delivery> left;
        try {
            left = stored.load();
        } catch (StoreException e) {
            LOG.warn("webhooks: cannot read pending deliveries from Consul ({}); starting without them", e.getMessage());
            left = List.of();
        }
        int resumed = 0;
        for (Delivery d : left) {
            if (!webhooks.containsKey(d.webhook())) {
                LOG.warn("webhooks: dropping pending delivery {} for {}: no such webhook in the webhooks file any more", d.id(), d.webhook());
                stored.remove(d.id());
                continue;
            }
            drop(queue.add(d));
            resumed++;
        }
        if (resumed > 0) LOG.info("webhooks: resuming {} pending deliveries", resumed);
        running = true;
        for (int i = 1; i <= senderCount; i++) {
            Thread t = new Thread(this::send, "baton-webhooks-" + i);
            t.setDaemon(true);
            t.start();
            senders.add(t);
        }
    }

    @Override
    public void event(Rollout rollout, Event event) {
        WebhookKind.of(event).ifPresent(kind -> enqueue(kind, rollout, event.at(), event.outcome().name(), event.detail()));
    }

    @Override
    public void ended(Rollout rollout, RolloutStatus status, String summary) {
        enqueue(WebhookKind.of(status), rollout, Instant.now(), null, summary);
    }

    public Stats stats() {
        return new Stats(delivered.get(), retried.get(), failed.get(), dropped.get(), queue.size());
    }

    private void enqueue(WebhookKind kind, Rollout rollout, Instant at, String outcome, String detail) {
        WebhookEvent event = null;
        for (Webhook w : webhooks.values()) {
            if (!w.wants(kind, rollout.service())) continue;
            if (event == null) {
                event = new WebhookEvent("e-" + UUID.randomUUID(), kind.label(), at, rollout.id(), rollout.service(),
                        rollout.version(), outcome, detail, rollout.resumed());
            }
            Delivery delivery = new Delivery("d-" + UUID.randomUUID(), w.name(), event, 0, Instant.now());
            // stored before a sender can take it: its removal, once delivered, is always the later write
            stored.save(delivery);
            drop(queue.add(delivery));
        }
    }

    private void drop(Delivery dropped) {
        if (dropped == null) return;
        this.dropped.incrementAndGet();
        LOG.warn("webhooks: queue full ({} deliveries): dropped the oldest, {} {} of {} for {}", queue.size(),
                dropped.event().event(), dropped.id(), dropped.event().rollout(), dropped.webhook());
        stored.remove(dropped.id());
    }

    private void send() {
        while (running) {
            Delivery delivery;
            try {
                delivery = queue.take(IDLE_WAKE);
            } catch (InterruptedException e) {
                return;
            }
            if (delivery == null) continue;
            attempt(delivery);
        }
    }

    private void attempt(Delivery delivery) {
        Webhook webhook = webhooks.get(delivery.webhook());
        String failure = post(webhook, delivery);
        if (failure == null) {
            delivered.incrementAndGet();
            queue.finished(delivery.id());
            stored.remove(delivery.id());
            return;
        }
        boolean permanent = failure.startsWith("!");
        String why = permanent ? failure.substring(1) : failure;
        int made = delivery.attempts() + 1;
        if (permanent || made >= webhook.retry().attempts()) {
            failed.incrementAndGet();
            LOG.warn("webhooks: giving up on {} {} of {} to {} after {} attempt(s): {}", delivery.event().event(), delivery.id(),
                    delivery.event().rollout(), webhook.shown(), made, why);
            queue.finished(delivery.id());
            stored.remove(delivery.id());
            return;
        }
        Duration wait = Backoff.after(made, webhook.retry(), ThreadLocalRandom.current());
        Delivery later = delivery.failedOnce(Instant.now().plus(wait));
        retried.incrementAndGet();
        LOG.info("webhooks: attempt {} of {} {} to {} failed ({}); next in {} ms", made, delivery.event().event(), delivery.id(),
                webhook.shown(), why, wait.toMillis());
        stored.save(later);
        if (!queue.retry(later)) stored.remove(later.id()); // dropped from a full queue while in flight
    }

    /** Null when delivered; otherwise why not, starting with "!" when retrying cannot help. */
    private String post(Webhook webhook, Delivery delivery) {
        byte[] body = WebhookBodies.of(webhook.format(), delivery.event());
        Request.Builder request = new Request.Builder().url(webhook.url()).post(RequestBody.create(body, JSON))
                .header("User-Agent", "baton-webhooks")
                .header("X-Baton-Event", delivery.event().event())
                .header("X-Baton-Delivery", delivery.event().id());
        if (webhook.secret() != null) request.header(Signature.HEADER, Signature.header(webhook.secret(), Instant.now(), body));
        try (Response response = clients.get(webhook.name()).newCall(request.build()).execute()) {
            int code = response.code();
            if (code >= 200 && code < 300) return null;
            if (code >= 300 && code < 400) return "!answered " + code + ": redirects are not followed (fix the URL)";
            if (code == 408 || code == 425 || code == 429 || code >= 500) return "answered " + code;
            return "!answered " + code;
        } catch (IOException e) {
            return redactor.redact(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** Stops sending (this server is no longer the leader); what is not delivered stays in Consul for the next one. */
    public synchronized void stop() {
        running = false;
        for (Thread t : senders) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        senders.clear();
    }

    /** Stops sending; what is not delivered stays in Consul for the next start. */
    @Override
    public void close() {
        queue.close();
        stop();
        stored.close();
    }
}
