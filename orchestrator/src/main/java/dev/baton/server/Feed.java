package dev.baton.server;

import java.time.Duration;

/** One watcher's view of a rollout's events: first the past ones, then live ones, then its end. */
public interface Feed extends AutoCloseable {
    /** The next item, or null if none came within {@code timeout}. */
    StreamItem next(Duration timeout) throws InterruptedException;

    /** The next item if it is already there, without waiting or asking anyone; null otherwise. */
    default StreamItem ready() {
        return null;
    }

    @Override
    void close();
}
