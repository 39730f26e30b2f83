package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.ConsulKv;
import dev.baton.store.Json;
import dev.baton.store.LockTiming;
import dev.baton.store.RolloutStore;
import dev.baton.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Which one of the servers sharing a Consul leads: the one whose session holds the lock on {@code baton/leader}; the
 * key's value names it and its advertised URL. The session has the service locks' shape ({@link LockTiming}: bound to
 * the server's liveness check, renewed every second, released on invalidation). Followers watch the key with blocking
 * queries, so they see at once when it is freed, and try to acquire it (Consul refuses during the lock delay after a
 * leader's session was invalidated).
 *
 * <p>Like a service lock, leadership counts only while the last renewal Consul accepted started within the lease: a
 * leader cut off from Consul or stalled steps down before Consul could let another server be elected. The listener hears each election and
 * deposition on the leadership thread, one at a time, in order.
 */
public final class Leadership implements AutoCloseable {
    public static final String KEY = RolloutStore.ROOT + "leader";
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** The leader as its key names it. */
    public record Leader(String id, String url, Instant since) {
        static Leader parse(byte[] value) {
            try {
                JsonNode node = Json.MAPPER.readTree(value == null ? new byte[0] : value);
                if (node == null) return new Leader(null, null, null);
                String since = node.path("since").asText(null);
                return new Leader(node.path("id").asText(null), node.path("url").asText(null),
                        since == null ? null : Instant.parse(since));
            } catch (IOException | RuntimeException e) {
                return new Leader(null, null, null);
            }
        }
    }

    /** What a server does when it becomes the leader and when it stops being one. */
    public interface Listener {
        void elected();

        void deposed(String why);
    }

    private final ConsulKv kv;
    private final String id;
    private final Supplier<String> url;
    private final LockTiming timing;
    private final Duration renewEvery;
    private final Listener listener;
    private final CountDownLatch firstRound = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean leading;
    private volatile Leader seen;
    private volatile String session;
    private volatile long confirmedAt;
    private long lastRenewal;
    private long index;
    private boolean retrySoon;

    /** {@code url} is this server's advertised URL, asked when it is elected. */
    public Leadership(ConsulKv kv, String id, Supplier<String> url, LockTiming timing, Listener listener) {
        this.kv = kv;
        this.id = id;
        this.url = url;
        this.timing = timing;
        this.renewEvery = LockTiming.RENEW_EVERY;
        this.listener = listener;
        this.thread = new Thread(this::run, "baton-leadership");
        this.thread.setDaemon(true);
    }

    /** Starts campaigning; returns once the first round knows a leader (this server or another), or after {@code wait}. */
    public void start(Duration wait) throws InterruptedException {
        thread.start();
        firstRound.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while this server leads and its lease holds. */
    public boolean leading() {
        return leading && fenceBroken() == null;
    }

    /** The leader as last seen in Consul (this server included); empty while none is elected. */
    public Optional<Leader> leader() {
        return Optional.ofNullable(seen);
    }

    private String fenceBroken() {
        return LockTiming.expired(confirmedAt);
    }

    private void run() {
        boolean failing = false;
        while (running) {
            try {
                round();
                if (failing) LOG.info("leadership: Consul answers again");
                failing = false;
            } catch (StoreException e) {
                if (!failing) LOG.warn("leadership: a call to Consul failed (will retry): {}", e.getMessage());
                failing = true;
                index = 0;
                if (leading && fenceBroken() != null) depose(fenceBroken() + ": " + e.getMessage());
                pause(RETRY);
            } catch (RuntimeException e) {
                LOG.error("leadership: a round failed", e);
                pause(RETRY);
            }
        }
    }

    private void round() {
        renewOrCreateSession();
        if (session == null || !running) return;
        if (leading && fenceBroken() != null) {
            depose(fenceBroken());
            return;
        }
        Duration wait = retrySoon ? RETRY : untilRenewal();
        ConsulKv.Listing listing = kv.watch(KEY, index, wait);
        index = listing.index() < index ? 0 : listing.index(); // Consul's advice: start over when the index goes back
        retrySoon = false;
        ConsulKv.Entry entry = listing.entries().stream().filter(e -> e.key().equals(KEY)).findFirst().orElse(null);
        if (entry != null && entry.session() != null) {
            seen = Leader.parse(entry.value());
            if (leading && !entry.session().equals(session)) depose("another server holds " + KEY);
            firstRound.countDown();
            return;
        }
        seen = null;
        if (leading) {
            depose("Consul released " + KEY);
            return;
        }
        if (!running) return;
        Leader me = new Leader(id, url.get(), Instant.now());
        long acquiring = System.nanoTime();
        boolean acquired;
        try {
            acquired = kv.acquire(KEY, json(me), session);
        } catch (StoreException e) {
            session = null; // e.g. Consul invalidated it meanwhile ("invalid session"): campaign with a new one
            throw e;
        }
        if (acquired) {
            confirmedAt = acquiring;
            seen = me;
            leading = true;
            LOG.info("leadership: this server ({}) is the leader", me.url());
            try {
                listener.elected();
            } catch (RuntimeException e) {
                // a leader without its duties helps nobody: free the key (no lock delay) and campaign again
                try {
                    kv.release(KEY, session);
                } catch (StoreException releasing) {
                    LOG.warn("leadership: cannot release {} (the session given up frees it): {}", KEY, releasing.getMessage());
                }
                depose("could not take up the leader's duties: " + e.getMessage());
                retrySoon = true;
            }
            firstRound.countDown();
        } else {
            // the lock delay after the last leader's session expired, or another server was quicker: look again soon
            retrySoon = true;
            firstRound.countDown();
        }
    }

    private void renewOrCreateSession() {
        long now = System.nanoTime();
        if (session == null) {
            session = timing.createSession(kv, "baton leader " + id);
            confirmedAt = now;
            lastRenewal = now;
            return;
        }
        if (now - lastRenewal < renewEvery.toNanos()) return;
        lastRenewal = now;
        if (kv.renewSession(session)) {
            confirmedAt = now;
            return;
        }
        session = null;
        index = 0;
        if (leading) depose("its Consul session expired");
    }

    private Duration untilRenewal() {
        long left = renewEvery.toNanos() - (System.nanoTime() - lastRenewal);
        return Duration.ofNanos(Math.max(Duration.ofMillis(100).toNanos(), left));
    }

    /**
     * Steps down and gives the session up: a session that may still hold the key (a leader that merely could not renew
     * in time) must not keep it from the others. Destroyed, or left to expire when Consul cannot be reached, it frees
     * the key after the lock delay; the next round campaigns with a new session.
     */
    private void depose(String why) {
        leading = false;
        LOG.warn("leadership: this server is no longer the leader: {}", why);
        String abandoned = session;
        session = null;
        index = 0;
        if (abandoned != null) {
            try {
                kv.destroySession(abandoned);
            } catch (StoreException e) {
                LOG.warn("leadership: cannot destroy the old session (it expires on its own): {}", e.getMessage());
            }
        }
        try {
            listener.deposed(why);
        } catch (RuntimeException e) {
            LOG.error("leadership: stepping down failed", e);
        }
    }

    private static byte[] json(Leader leader) {
        try {
            return Json.MAPPER.writeValueAsBytes(Map.of("id", leader.id(), "url", leader.url(), "since", leader.since().toString()));
        } catch (IOException e) {
            throw new StoreException("cannot encode the leader: " + e.getMessage(), e);
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /**
     * Stops campaigning and, as the leader, frees the key at once (an explicit release has no lock delay: a follower
     * takes over within a blocking query's answer). The listener is not called: the server is stopping its duties itself.
     */
    @Override
    public void close() {
        running = false;
        boolean wasLeading = leading;
        leading = false;
        String held = session;
        if (held != null) {
            try {
                if (wasLeading) kv.release(KEY, held);
                kv.destroySession(held);
            } catch (StoreException e) {
                LOG.warn("leadership: cannot release {} (its session expires on its own): {}", KEY, e.getMessage());
            }
        }
        thread.interrupt();
        try {
            thread.join(renewEvery.plusSeconds(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
