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
 * PREPARE of the pending hosts in the background, in schedule order, at most {@link #PARALLELISM} at once. With
 * {@code prepare: all} every fetch starts at once and the rollout waits for all of them. With {@code prepare: ahead}
 * a batch fetches while the one before it rolls: the first batch's fetches start with the rollout, the next batch's
 * once this one rolls and its own fetches ended; each host waits for its own fetch before it leaves. Paced so, the
 * fleet does not download a release a stopped rollout never installs, the artifact server is not asked by the whole
 * fleet at once, and the hosts serving traffic spend no CPU on a release long before they run it.
 * Closing it cancels what has not started and gives what has {@link #IN_FLIGHT_WAIT} to end: a fetch changes nothing on
 * a serving host, so a rollout that ends (an abort among them) does not wait for a hung agent's download; what such a
 * fetch reports after that is dropped (its {@code open} says no), never shown after the rollout's end.
 */
final class Preparation implements AutoCloseable {
    static final int PARALLELISM = 16;
    static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(2);

    private final ExecutorService pool;
    private final List<List<HostLifecycle>> batches;
    private final Fetch fetch;
    /** Per host id, in schedule order, the index of its batch: the hosts this preparation fetches for. */
    private final Map<String, Integer> batchOf = new LinkedHashMap<>();
    // guarded by this
    /** Per host id: null once fetched and verified, else why not. */
    private final Map<String, Future<String>> fetches = new LinkedHashMap<>();
    private final int[] unfinished;
    private int started;
    private int rolling = -1;
    private volatile boolean closed;

    /** One host's fetch: null once fetched and verified, else why not; {@code open} says whether anyone still listens. */
    @FunctionalInterface
    interface Fetch {
        String run(HostLifecycle host, java.util.function.BooleanSupplier open);
    }

    /**
     * @param batches the pending hosts of each batch, in schedule order
     * @param all     every fetch now ({@code prepare: all}), else batch by batch as they roll ({@code prepare: ahead})
     */
    Preparation(List<List<HostLifecycle>> batches, boolean all, Fetch fetch) {
        this.batches = batches;
        this.fetch = fetch;
        this.unfinished = new int[batches.size()];
        int hosts = 0;
        for (int b = 0; b < batches.size(); b++) {
            unfinished[b] = batches.get(b).size();
            hosts += batches.get(b).size();
            for (HostLifecycle host : batches.get(b)) batchOf.put(host.instance().id(), b);
        }
        pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLELISM, hosts)), r -> {
            Thread thread = new Thread(r, "baton-prepare");
            thread.setDaemon(true);
            return thread;
        });
        synchronized (this) {
            if (all) {
                startThrough(batches.size() - 1);
            } else {
                startThrough(0);
            }
        }
    }

    /** Whether this preparation fetches for this host (its fetch may not have started yet, may run, or have ended). */
    boolean covers(String id) {
        return batchOf.containsKey(id);
    }

    /** Batch {@code b} rolls: the next one fetches once b's own fetches ended. */
    synchronized void rolling(int b) {
        rolling = Math.max(rolling, b);
        startThrough(b);
        startNext();
    }

    /** Whether this host has the release: fetched and verified here, or not one of these hosts. Never waits. */
    synchronized boolean fetched(String id) {
        if (!batchOf.containsKey(id)) return true;
        Future<String> fetch = fetches.get(id);
        if (fetch == null || !fetch.isDone() || fetch.isCancelled()) return false;
        try {
            return fetch.get() == null;
        } catch (ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits for this host's fetch; null once it fetched and verified the release (or it is not one of these hosts), else why not. */
    String await(String id) throws InterruptedException {
        Integer batch = batchOf.get(id);
        if (batch == null) return null;
        Future<String> mine;
        synchronized (this) {
            startThrough(batch);
            mine = fetches.get(id);
        }
        if (mine == null) return "not fetched: the rollout ended first";
        try {
            return mine.get();
        } catch (java.util.concurrent.CancellationException e) {
            return "not fetched: the rollout ended first";
        } catch (ExecutionException e) {
            throw new IllegalStateException("PREPARE of " + id + " crashed", e.getCause());
        }
    }

    /** Waits for every fetch ({@code prepare: all}); returns why each one that failed did, by host id. */
    Map<String, String> awaitAll() throws InterruptedException {
        Map<String, String> failed = new LinkedHashMap<>();
        for (String id : batchOf.keySet()) {
            String failure = await(id);
            if (failure != null) failed.put(id, failure);
        }
        return failed;
    }

    /** Starts the fetches of every batch up to {@code last} not started yet (none once closed). */
    private void startThrough(int last) {
        for (; started <= last && started < batches.size() && !closed; started++) {
            int b = started;
            for (HostLifecycle host : batches.get(b)) {
                fetches.put(host.instance().id(), pool.submit(() -> {
                    try {
                        return fetch.run(host, () -> !closed);
                    } finally {
                        ended(b);
                    }
                }));
            }
        }
    }

    /** The next batch starts once the last one started rolls and its fetches ended (an empty batch passes at once). */
    private void startNext() {
        while (started < batches.size() && started - 1 <= rolling && unfinished[started - 1] == 0) startThrough(started);
    }

    private synchronized void ended(int batch) {
        unfinished[batch]--;
        startNext();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
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
