package dev.baton.server;

import java.time.Duration;

/** One watcher's view of a rollout's events: first the past ones, then live ones, then its end. */
public interface Feed extends AutoCloseable {
    /** The next item, or null if none came within {@code timeout}. */
    StreamItem next(Duration timeout) throws InterruptedException;

    @Override
    void close();
}
