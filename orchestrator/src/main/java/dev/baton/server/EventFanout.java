package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A live rollout's published events and their watchers, all fed from one shared log: each watcher keeps only its
 * place in it, nothing is copied per watcher (a new watcher reads the history in place). Publishing never blocks: it
 * appends, then signals each watcher (which only hands the writing on); a watcher more than {@code lag} live items
 * behind is dropped (its stream ends; it may reconnect after its last event), so a slow watcher never slows the
 * rollout and holds nothing.
 */
final class EventFanout {
    private final int lag;
    /** Every event, in order: the history a new watcher starts from. */
    private final List<StreamItem.EventItem> history = new ArrayList<>();
    /** Every item published live (events and status changes), in order; watchers read from their place in it. */
    private final List<StreamItem> live = new ArrayList<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private RolloutStatus status;
    private boolean ended;

    EventFanout(List<LoggedEvent> past, RolloutStatus status, int lag) {
        for (LoggedEvent event : past) history.add(new StreamItem.EventItem(event));
        this.status = status;
        this.lag = lag;
    }

    void publish(LoggedEvent event) {
        StreamItem.EventItem item = new StreamItem.EventItem(event); // encoded once here, for every watcher
        synchronized (this) {
            history.add(item);
            append(item);
        }
    }

    synchronized void publish(RolloutStatus next) {
        status = next;
        append(new StreamItem.StatusItem(next));
    }

    /** After the final status: every stream ends once it has read what was published. */
    synchronized void end() {
        ended = true;
        List<Watcher> left = List.copyOf(watchers);
        watchers.clear();
        for (Watcher watcher : left) watcher.signal();
    }

    synchronized List<LoggedEvent> history() {
        List<LoggedEvent> events = new ArrayList<>(history.size());
        for (StreamItem.EventItem item : history) events.add(item.event());
        return events;
    }

    synchronized int watchers() {
        return watchers.size();
    }

    /** A feed of the events after {@code afterSeq}, the current status, then live items. */
    synchronized Feed subscribe(long afterSeq) {
        int from = 0;
        while (from < history.size() && history.get(from).event().seq() <= afterSeq) from++;
        Watcher watcher = new Watcher(from, history.size(), new StreamItem.StatusItem(status), live.size());
        if (!ended) watchers.add(watcher);
        return watcher;
    }

    private void append(StreamItem item) {
        live.add(item);
        for (Watcher watcher : watchers) {
            if (live.size() - watcher.next > lag) {
                watchers.remove(watcher);
                watcher.dropped = true;
            }
            watcher.signal();
        }
    }

    /** One watcher's place: first in the history (up to where it stood when it came), then its status, then live. */
    private final class Watcher implements Feed {
        private int nextPast;
        private final int pastEnd;
        private StreamItem.StatusItem statusThen;
        /** Guarded by the fanout. */
        private int next;
        private boolean dropped;
        private boolean closed;
        private Runnable signal;

        Watcher(int nextPast, int pastEnd, StreamItem.StatusItem statusThen, int next) {
            this.nextPast = nextPast;
            this.pastEnd = pastEnd;
            this.statusThen = statusThen;
            this.next = next;
        }

        @Override
        public StreamItem poll() {
            synchronized (EventFanout.this) {
                if (nextPast < pastEnd) return history.get(nextPast++);
                if (statusThen != null) {
                    StreamItem item = statusThen;
                    statusThen = null;
                    return item;
                }
                if (dropped) return new StreamItem.End(true);
                if (next < live.size()) return live.get(next++);
                if (ended || closed) return new StreamItem.End(false);
                return null;
            }
        }

        @Override
        public void whenReady(Runnable signal) {
            synchronized (EventFanout.this) {
                this.signal = signal;
            }
            signal.run();
        }

        /** Called under the fanout's lock. */
        private void signal() {
            if (signal != null) signal.run();
        }

        @Override
        public void close() {
            synchronized (EventFanout.this) {
                closed = true;
                watchers.remove(this);
            }
        }
    }
}
