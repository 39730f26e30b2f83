package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;
import dev.baton.store.RolloutStore;
import dev.baton.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The event streams of rollouts another server runs (a follower's dashboard following the leader's rollout): one
 * blocking query on the rollout's keys in Consul per rollout, not per watcher, publishes what changed into an
 * {@link EventFanout} that every watcher of the rollout here subscribes to. The query waits until Consul has a
 * change (or {@link #WAIT}), so a quiet rollout costs one open request. Following ends with the rollout, or once
 * no watcher is left; the stream goes on across a change of leader, since every leader writes to the same keys.
 */
final class RemoteFeeds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteFeeds.class);
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final RolloutStore store;
    private final RolloutCatalog catalog;
    private final ExecutorService threads;
    private final int watcherQueue;
    private final Map<String, EventFanout> following = new HashMap<>();

    RemoteFeeds(RolloutStore store, RolloutCatalog catalog, int watcherQueue) {
        this.store = store;
        this.catalog = catalog;
        this.watcherQueue = watcherQueue;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "baton-follow");
            t.setDaemon(true);
            return t;
        });
    }

    /** A feed of the rollout's events after {@code afterSeq}, its status, then what Consul shows until it ends. */
    synchronized Feed follow(String id, long afterSeq) {
        EventFanout known = following.get(id);
        if (known != null) return known.subscribe(afterSeq);
        RolloutStore.Watched first = store.watch(id, 0, Duration.ZERO);
        first.record().ifPresent(catalog::remember);
        RolloutStatus status = first.record().map(r -> r.status()).orElse(RolloutStatus.RUNNING);
        EventFanout fanout = new EventFanout(first.events(), status, watcherQueue);
        if (status.isFinal()) fanout.end();
        Feed feed = fanout.subscribe(afterSeq);
        if (status.isFinal()) return feed;
        long lastSeq = first.events().isEmpty() ? 0 : first.events().get(first.events().size() - 1).seq();
        try {
            threads.execute(() -> pump(id, fanout, first.index(), lastSeq, status));
        } catch (RejectedExecutionException stopping) {
            feed.close();
            throw new RolloutException(RolloutException.Kind.UNAVAILABLE, "the server is stopping");
        }
        following.put(id, fanout);
        return feed;
    }

    private void pump(String id, EventFanout fanout, long index, long lastSeq, RolloutStatus status) {
        Thread.currentThread().setName("follow-" + id);
        boolean failing = false;
        while (!Thread.currentThread().isInterrupted() && !unwatched(id, fanout)) {
            RolloutStore.Watched watched;
            try {
                watched = store.watch(id, index, WAIT);
                failing = false;
            } catch (StoreException e) {
                if (!failing) LOG.warn("following {} in Consul (will retry): {}", id, e.getMessage());
                failing = true;
                index = 0;
                if (!sleep(RETRY)) break;
                continue;
            }
            index = watched.index() < index ? 0 : watched.index();
            for (LoggedEvent event : watched.events()) {
                if (event.seq() > lastSeq) {
                    fanout.publish(event);
                    lastSeq = event.seq();
                }
            }
            if (watched.record().isPresent()) {
                catalog.remember(watched.record().get());
                RolloutStatus now = watched.record().get().status();
                if (now != status) fanout.publish(now);
                status = now;
            }
            if (status.isFinal()) break;
        }
        synchronized (this) {
            if (following.get(id) == fanout) following.remove(id);
        }
        fanout.end();
    }

    /** No watcher is left: stop following (a new watcher starts again from Consul). */
    private synchronized boolean unwatched(String id, EventFanout fanout) {
        if (fanout.watchers() > 0) return false;
        following.remove(id, fanout);
        return true;
    }

    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ends every stream (the server stops). */
    @Override
    public void close() {
        threads.shutdownNow();
        synchronized (this) {
            following.values().forEach(EventFanout::end);
            following.clear();
        }
    }
}
