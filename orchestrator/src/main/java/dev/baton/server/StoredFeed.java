package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;
import dev.baton.store.RolloutStore;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The events of a rollout this server does not run, from Consul: an ended one (its log, its final status) or
 * one run by another server (followed with blocking queries until it ends).
 */
final class StoredFeed implements Feed {
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private final RolloutStore store;
    private final RolloutCatalog catalog;
    private final String id;
    private final Deque<StreamItem> pending = new ArrayDeque<>();
    private long lastSeq;
    private long index;
    private RolloutStatus status;
    private boolean ended;

    StoredFeed(RolloutStore store, RolloutCatalog catalog, String id, long afterSeq, RolloutStatus status) {
        this.store = store;
        this.catalog = catalog;
        this.id = id;
        this.lastSeq = afterSeq;
        this.status = status;
        read(0, Duration.ZERO);
        pending.add(new StreamItem.StatusItem(this.status));
        if (this.status.isFinal()) end();
    }

    @Override
    public StreamItem next(Duration timeout) {
        if (!pending.isEmpty()) return pending.poll();
        if (ended) return new StreamItem.End(false);
        RolloutStatus before = status;
        read(index, timeout.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : timeout);
        if (status != before) pending.add(new StreamItem.StatusItem(status));
        if (status.isFinal()) end();
        return pending.poll();
    }

    private void read(long since, Duration wait) {
        RolloutStore.Watched watched = store.watch(id, since, wait);
        index = watched.index();
        for (LoggedEvent event : watched.events()) {
            if (event.seq() > lastSeq) {
                pending.add(new StreamItem.EventItem(event));
                lastSeq = event.seq();
            }
        }
        watched.record().ifPresent(record -> {
            status = record.status();
            catalog.remember(record);
        });
    }

    private void end() {
        ended = true;
        pending.add(new StreamItem.End(false));
    }

    @Override
    public void close() {
    }
}
