package dev.baton.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs one task per host, at most {@code parallelism} at once, and returns when every task has ended: a rollout
 * never moves on (or ends) while one of its hosts is still in a step. Tasks must not throw; one that does is a bug
 * and is rethrown only after the others ended.
 */
final class FanOut {
    private static final Duration RECOVERY_WAIT = Duration.ofMinutes(15);

    private FanOut() {
    }

    interface Task<T> {
        void run(T item) throws Exception;
    }

    static <T> void run(List<T> items, int parallelism, Task<T> task) throws InterruptedException {
        if (items.isEmpty()) return;
        if (items.size() == 1 || parallelism <= 1) {
            for (T item : items) call(task, item);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, items.size()));
        RuntimeException crash = null;
        boolean interrupted = false;
        try {
            List<Future<?>> running = new ArrayList<>();
            for (T item : items) running.add(pool.submit(() -> {
                call(task, item);
                return null;
            }));
            for (Future<?> future : running) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (crash == null) crash = new IllegalStateException("a host task crashed", e.getCause());
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        } finally {
            pool.shutdown();
        }
        if (interrupted) awaitRecovery(pool);
        if (interrupted) Thread.currentThread().interrupt();
        if (crash != null) throw crash;
        if (interrupted) throw new InterruptedException();
    }

    /** Passes the interrupt to the hosts, then still waits (bounded) while they put their instances back. */
    private static void awaitRecovery(ExecutorService pool) {
        pool.shutdownNow();
        long until = System.nanoTime() + RECOVERY_WAIT.toNanos();
        while (!pool.isTerminated() && System.nanoTime() < until) {
            try {
                pool.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException again) {
                // keep waiting: leaving now would leave instances out of rotation
            }
        }
    }

    private static <T> void call(Task<T> task, T item) {
        try {
            task.run(item);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
