package dev.baton.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs independent checks of one host at the same time: all but the last on a pool shared by every rollout of the
 * process (threads made on demand, reused, never one per host for the whole rollout), the last on the caller's
 * thread. Returns when all have ended; the first failure is thrown after the others were stopped.
 */
final class ConcurrentChecks {
    private static final ExecutorService SHARED = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "baton-check");
        thread.setDaemon(true);
        return thread;
    });

    private ConcurrentChecks() {
    }

    interface Check<T> {
        void run(T item) throws StepFailure, InterruptedException;
    }

    static <T> void run(List<T> items, Check<T> check) throws StepFailure, InterruptedException {
        if (items.isEmpty()) return;
        List<Future<?>> others = new ArrayList<>();
        for (T item : items.subList(0, items.size() - 1)) {
            others.add(SHARED.submit(() -> {
                check.run(item);
                return null;
            }));
        }
        try {
            check.run(items.get(items.size() - 1));
            for (Future<?> other : others) await(other);
        } finally {
            for (Future<?> other : others) other.cancel(true);
        }
    }

    private static void await(Future<?> future) throws StepFailure, InterruptedException {
        try {
            future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StepFailure failure) throw failure;
            if (cause instanceof InterruptedException interrupted) throw interrupted;
            if (cause instanceof RuntimeException runtime) throw runtime;
            if (cause instanceof Error error) throw error;
            throw new IllegalStateException(cause);
        }
    }
}
