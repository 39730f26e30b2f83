package dev.baton.rollout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * PREPARE of the pending hosts in the background, in schedule order, at most {@link #PARALLELISM} at once; each host
 * waits for its own fetch before it leaves ({@code prepare: ahead}), or the rollout for all of them ({@code prepare: all}).
 * Closing it cancels what has not started and gives what has {@link #IN_FLIGHT_WAIT} to end: a fetch changes nothing on
 * a serving host, so a rollout that ends (an abort among them) does not wait for a hung agent's download; what such a
 * fetch reports after that is dropped (its {@code open} says no), never shown after the rollout's end.
 */
final class Preparation implements AutoCloseable {
    static final int PARALLELISM = 16;
    static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(2);

    private final ExecutorService pool;
    private volatile boolean closed;
    /** Per host id: null once fetched and verified, else why not. */
    private final Map<String, Future<String>> fetches = new LinkedHashMap<>();

    /** One host's fetch: null once fetched and verified, else why not; {@code open} says whether anyone still listens. */
    @FunctionalInterface
    interface Fetch {
        String run(HostLifecycle host, java.util.function.BooleanSupplier open);
    }

    /** Starts PREPARE on each host, in the order given. */
    Preparation(List<HostLifecycle> hosts, Fetch fetch) {
        pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLELISM, hosts.size())), r -> {
            Thread thread = new Thread(r, "baton-prepare");
            thread.setDaemon(true);
            return thread;
        });
        for (HostLifecycle host : hosts) fetches.put(host.instance().id(), pool.submit(() -> fetch.run(host, () -> !closed)));
        pool.shutdown();
    }

    /** Whether a fetch was started here for this host (it may still run, or have ended either way). */
    boolean started(String id) {
        return fetches.containsKey(id);
    }

    /** Waits for this host's fetch; null once it fetched and verified the release (or none was started here), else why not. */
    String await(String id) throws InterruptedException {
        Future<String> fetch = fetches.get(id);
        if (fetch == null) return null;
        try {
            return fetch.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("PREPARE of " + id + " crashed", e.getCause());
        }
    }

    /** Waits for every fetch; returns why each one that failed did, by host id. */
    Map<String, String> awaitAll() throws InterruptedException {
        Map<String, String> failed = new LinkedHashMap<>();
        for (String id : fetches.keySet()) {
            String failure = await(id);
            if (failure != null) failed.put(id, failure);
        }
        return failed;
    }

    @Override
    public void close() {
        closed = true;
        // a fetch that never started is cancelled, so that nobody could wait on it for ever
        for (Runnable unstarted : pool.shutdownNow()) ((Future<?>) unstarted).cancel(false);
        long until = System.nanoTime() + IN_FLIGHT_WAIT.toNanos();
        boolean interrupted = false;
        while (!pool.isTerminated() && System.nanoTime() < until) {
            try {
                pool.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException again) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
