package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A live rollout's published events and their watchers. Publishing never blocks: each watcher has a bounded
 * queue, and a watcher whose queue is full is dropped (its stream ends; it may reconnect after its last
 * event). A slow watcher never slows the rollout.
 */
final class EventFanout {
    private final int queueCapacity;
    private final List<LoggedEvent> history = new ArrayList<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private RolloutStatus status;
    private boolean ended;

    EventFanout(List<LoggedEvent> past, RolloutStatus status, int queueCapacity) {
        this.history.addAll(past);
        this.status = status;
        this.queueCapacity = queueCapacity;
    }

    synchronized void publish(LoggedEvent event) {
        history.add(event);
        offer(new StreamItem.EventItem(event));
    }

    synchronized void publish(RolloutStatus next) {
        status = next;
        offer(new StreamItem.StatusItem(next));
    }

    /** After the final status: every stream ends. */
    synchronized void end() {
        ended = true;
        for (Watcher watcher : watchers) watcher.finish(new StreamItem.End(false));
        watchers.clear();
    }

    synchronized List<LoggedEvent> history() {
        return List.copyOf(history);
    }

    synchronized int watchers() {
        return watchers.size();
    }

    /** A feed of the events after {@code afterSeq}, the current status, then live items. */
    synchronized Feed subscribe(long afterSeq) {
        Watcher watcher = new Watcher(queueCapacity);
        for (LoggedEvent event : history) {
            if (event.seq() > afterSeq) watcher.backlog.add(new StreamItem.EventItem(event));
        }
        watcher.backlog.add(new StreamItem.StatusItem(status));
        if (ended) watcher.backlog.add(new StreamItem.End(false));
        else watchers.add(watcher);
        return watcher;
    }

    private void offer(StreamItem item) {
        for (Watcher watcher : watchers) {
            if (!watcher.queue.offer(item)) {
                watchers.remove(watcher);
                watcher.finish(new StreamItem.End(true));
            }
        }
    }

    private final class Watcher implements Feed {
        private final List<StreamItem> backlog = new ArrayList<>();
        private final BlockingQueue<StreamItem> queue;
        /** Set when the stream must end and its queue had no room for the End. */
        private volatile StreamItem.End end;

        Watcher(int capacity) {
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        void finish(StreamItem.End item) {
            if (item.dropped()) {
                end = item;
                queue.clear();
            } else if (!queue.offer(item)) {
                end = item; // the queue is full: End comes once it is drained
            }
        }

        @Override
        public StreamItem next(Duration timeout) throws InterruptedException {
            if (!backlog.isEmpty()) return backlog.remove(0);
            StreamItem.End forced = end;
            if (forced != null && forced.dropped()) return forced;
            StreamItem item = queue.poll();
            if (item != null) return item;
            if (forced != null) return forced;
            item = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return item != null ? item : end;
        }

        @Override
        public void close() {
            watchers.remove(this);
        }
    }
}
