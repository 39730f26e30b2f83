package dev.baton.server;

/**
 * One watcher's view of a rollout's events: first the past ones, then live ones, then its end. It never blocks: the
 * watcher takes what is there with {@link #poll} and is told by {@link #whenReady} when more may have come.
 */
public interface Feed extends AutoCloseable {
    /** The next item if it is there now (the last one is an {@link StreamItem.End}); null otherwise. */
    StreamItem poll();

    /**
     * Runs {@code signal} now and whenever an item may have become ready since (a publish, the end, being dropped).
     * It runs on the publishing thread, under the feed's lock: it must only hand the work on, never block or poll.
     */
    void whenReady(Runnable signal);

    @Override
    void close();
}
