package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;
import dev.baton.store.RolloutStore;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The events of a rollout that ended, from Consul: its log after the watcher's place, its final status, the end.
 * (A rollout another server runs is followed through {@link RemoteFeeds}.)
 */
final class StoredFeed implements Feed {
    private final Deque<StreamItem> items = new ArrayDeque<>();

    StoredFeed(RolloutStore store, RolloutCatalog catalog, String id, long afterSeq, RolloutStatus status) {
        RolloutStore.Watched watched = store.watch(id, 0, Duration.ZERO);
        for (LoggedEvent event : watched.events()) {
            if (event.seq() > afterSeq) items.add(new StreamItem.EventItem(event));
        }
        RolloutStatus last = status;
        if (watched.record().isPresent()) {
            catalog.remember(watched.record().get());
            last = watched.record().get().status();
        }
        items.add(new StreamItem.StatusItem(last));
        items.add(new StreamItem.End(false));
    }

    @Override
    public synchronized StreamItem poll() {
        return items.poll();
    }

    @Override
    public void whenReady(Runnable signal) {
        signal.run();
    }

    @Override
    public void close() {
    }
}
