package dev.baton.notify;

import dev.baton.store.ConsulKv;
import dev.baton.store.Json;
import dev.baton.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The queue's copy in Consul KV, {@code baton/webhooks/pending/<delivery id>} (the webhook by name: no URL, no secret),
 * so that a restarted server resumes what was not delivered. Writes go through one thread of their own, in order,
 * so that neither a rollout nor a sender ever waits for Consul.
 */
final class PendingDeliveries implements AutoCloseable {
    static final String PREFIX = "baton/webhooks/pending/";
    private static final Logger LOG = LoggerFactory.getLogger(PendingDeliveries.class);

    private final ConsulKv kv;
    private final ThreadPoolExecutor writer;
    private volatile boolean failing;

    PendingDeliveries(ConsulKv kv, int maxQueuedWrites) {
        this.kv = kv;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(maxQueuedWrites), r -> {
            Thread t = new Thread(r, "baton-webhooks-kv");
            t.setDaemon(true);
            return t;
        }, (r, pool) -> LOG.warn("webhooks: too many Consul writes waiting; one pending delivery is kept in memory only"));
    }

    void save(Delivery delivery) {
        byte[] value;
        try {
            value = Json.MAPPER.writeValueAsBytes(delivery);
        } catch (IOException e) {
            throw new IllegalStateException("a delivery always writes as JSON", e);
        }
        write(() -> kv.put(PREFIX + delivery.id(), value));
    }

    void remove(String id) {
        write(() -> kv.delete(PREFIX + id));
    }

    /** What a previous run left, oldest first; unreadable entries are deleted. */
    List<Delivery> load() {
        List<Delivery> found = new ArrayList<>();
        for (ConsulKv.Entry entry : kv.list(PREFIX)) {
            try {
                found.add(Json.MAPPER.readValue(entry.value(), Delivery.class));
            } catch (IOException | RuntimeException e) {
                LOG.warn("webhooks: dropping unreadable pending delivery {}", entry.key().substring(PREFIX.length()));
                kv.delete(entry.key());
            }
        }
        found.sort(Comparator.comparing((Delivery d) -> d.event().at()).thenComparing(Delivery::id));
        return found;
    }

    private void write(Runnable write) {
        if (writer.isShutdown()) return;
        writer.execute(() -> {
            try {
                write.run();
                if (failing) LOG.info("webhooks: storing pending deliveries in Consul works again");
                failing = false;
            } catch (StoreException e) {
                if (!failing) LOG.warn("webhooks: cannot store pending deliveries in Consul (kept in memory): {}", e.getMessage());
                failing = true;
            }
        });
    }

    /** Finishes the writes already queued (bounded), then stops. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
