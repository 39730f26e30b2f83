package dev.baton.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * PREPARE of the pending hosts in the background, in schedule order, at most {@link #PARALLELISM} at once; the
 * rollout waits for the hosts it is about to roll ({@code prepare: ahead}) or for all of them ({@code prepare: all}).
 * Closing it cancels what has not started and waits (bounded) for what has: a rollout never ends while one of its
 * hosts is still in a step.
 */
final class Preparation implements AutoCloseable {
    static final int PARALLELISM = 16;
    private static final Duration IN_FLIGHT_WAIT = Duration.ofMinutes(15);

    private final ExecutorService pool;
    /** Per host id: null once fetched and verified, else why not. */
    private final Map<String, Future<String>> fetches = new LinkedHashMap<>();

    /** Starts PREPARE on each host, in the order given; {@code prepare} returns null or why the host could not fetch. */
    Preparation(List<HostLifecycle> hosts, Function<HostLifecycle, String> prepare) {
        pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLELISM, hosts.size())), r -> {
            Thread thread = new Thread(r, "baton-prepare");
            thread.setDaemon(true);
            return thread;
        });
        for (HostLifecycle host : hosts) fetches.put(host.instance().id(), pool.submit(() -> prepare.apply(host)));
        pool.shutdown();
    }

    /** Waits for the fetches of these hosts (those never started here are skipped); returns why each one failed, by id. */
    Map<String, String> await(Collection<String> ids) throws InterruptedException {
        Map<String, String> failed = new LinkedHashMap<>();
        for (String id : ids) {
            Future<String> fetch = fetches.get(id);
            if (fetch == null) continue;
            try {
                String failure = fetch.get();
                if (failure != null) failed.put(id, failure);
            } catch (ExecutionException e) {
                throw new IllegalStateException("PREPARE of " + id + " crashed", e.getCause());
            }
        }
        return failed;
    }

    Map<String, String> awaitAll() throws InterruptedException {
        return await(new ArrayList<>(fetches.keySet()));
    }

    @Override
    public void close() {
        List<Runnable> unstarted = pool.shutdownNow();
        if (!unstarted.isEmpty()) fetches.values().forEach(f -> f.cancel(false));
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
