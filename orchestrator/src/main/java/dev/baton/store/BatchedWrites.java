package dev.baton.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * KV writes grouped into Consul transactions. {@link #later} queues a write that announces or records (an event, a
 * host's state, the record). One with a callback (an event a watcher waits to see) is group-committed: sent at once
 * when no transaction is in flight, else with the next one, which leaves as soon as the one in flight returned, so a
 * burst arriving during a transaction becomes one transaction. One without a callback lingers: it is stored with the
 * next transaction, at once when none was sent in the last {@link #LINGER}, else at most that much later. A callback
 * runs once the transaction that holds its write was sent (what is shown is stored first). {@link #now} is a barrier:
 * it returns once it and every write queued before it are stored, or throws; whatever must be durable before an action
 * (the saved registration of a host about to leave) goes through it. Barriers commit as a group: one that finds its
 * writes already sent by another flush returns without sending the writes queued since (the hosts of a batch leaving
 * together wait for one or two transactions, not one each in turn). Writes keep their order: a key written again
 * moves behind the others, and a batch larger than one transaction is cut in that order. One flushing thread serves
 * every store of the process.
 */
final class BatchedWrites {
    private static final Logger LOG = LoggerFactory.getLogger(BatchedWrites.class);
    static final Duration LINGER = Duration.ofMillis(100);
    /** Consul refuses a transaction of more than 64 operations. */
    static final int MAX_OPERATIONS = 64;
    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "baton-kv-batch");
        thread.setDaemon(true);
        return thread;
    });

    private final ConsulKv kv;
    private final Object flushing = new Object();
    /** Values are encoded when sent: a record written again before then is encoded once, not once per write. */
    private LinkedHashMap<String, Supplier<byte[]>> pending = new LinkedHashMap<>();
    /** Run, in order, after the transaction holding the writes queued with them was sent. */
    private List<Runnable> afterStored = new ArrayList<>();
    /** How many writes and callbacks were queued, and how many of the first of them were sent (a flush takes all queued). */
    private long queuedCount;
    private long storedCount;
    /** When the earliest flush scheduled will run (System.nanoTime), or {@link Long#MAX_VALUE} when none is. */
    private long flushDueNanos = Long.MAX_VALUE;
    private long lastFlushNanos = System.nanoTime() - LINGER.toNanos();
    private boolean failing;

    BatchedWrites(ConsulKv kv) {
        this.kv = kv;
    }

    /** Queues the writes; never blocks on Consul. */
    void later(Map<String, Supplier<byte[]>> sets) {
        later(sets, null);
    }

    /**
     * Queues the writes; {@code then} (if not null) runs on the flushing thread once they were sent to Consul, after
     * the callbacks of earlier writes. If Consul refused them it runs all the same (they stay queued and are tried
     * again): a rollout goes on while its log cannot be stored.
     */
    void later(Map<String, Supplier<byte[]>> sets, Runnable then) {
        long delayNanos;
        synchronized (this) {
            queue(sets);
            long now = System.nanoTime();
            if (then != null) {
                afterStored.add(then);
                queuedCount++;
                delayNanos = 0; // the flushing thread is busy while a transaction is in flight: this goes with the next
            } else {
                delayNanos = Math.max(0, lastFlushNanos + LINGER.toNanos() - now);
            }
            if (flushDueNanos <= now + delayNanos) return;
            flushDueNanos = now + delayNanos;
        }
        FLUSHER.schedule(this::flushQuietly, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Stores these writes and every one queued before them; throws {@link StoreException} if Consul did not take them. */
    void now(Map<String, Supplier<byte[]>> sets) {
        long mine;
        synchronized (this) {
            queue(sets);
            mine = queuedCount;
        }
        flushUpTo(mine);
    }

    /** Stores everything queued so far (before a read, so that a store reads its own writes). */
    void flush() {
        long queuedSoFar;
        synchronized (this) {
            queuedSoFar = queuedCount;
        }
        flushUpTo(queuedSoFar);
    }

    /** Returns once the first {@code count} writes queued are stored: sent by this call or by a flush meanwhile. */
    private void flushUpTo(long count) {
        synchronized (flushing) {
            LinkedHashMap<String, Supplier<byte[]>> batch;
            List<Runnable> then;
            long taken;
            synchronized (this) {
                if (storedCount >= count) return;
                then = afterStored;
                afterStored = new ArrayList<>();
                if (pending.isEmpty() && then.isEmpty()) return;
                batch = pending;
                pending = new LinkedHashMap<>();
                taken = queuedCount;
                lastFlushNanos = System.nanoTime();
            }
            try {
                for (Map<String, byte[]> chunk : chunks(batch)) kv.transaction(chunk);
                synchronized (this) {
                    storedCount = Math.max(storedCount, taken);
                }
                if (failing) LOG.info("KV writes reach Consul again");
                failing = false;
            } catch (StoreException e) {
                requeue(batch);
                throw e;
            } finally {
                for (Runnable callback : then) runQuietly(callback);
            }
        }
    }

    private static void runQuietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.error("a callback after storing KV writes failed", e);
        }
    }

    /** As {@link #flush}; a failure is left to the read that follows (the writes stay queued). */
    void flushBeforeRead() {
        try {
            flush();
        } catch (StoreException e) {
            LOG.debug("queued KV writes not stored before a read: {}", e.getMessage());
        }
    }

    private void flushQuietly() {
        synchronized (this) {
            flushDueNanos = Long.MAX_VALUE; // a flush scheduled for later finds nothing left, or what came since
        }
        try {
            flush();
        } catch (StoreException e) {
            if (!failing) LOG.warn("cannot store queued KV writes (kept, tried again with the next write): {}", e.getMessage());
            failing = true;
        }
    }

    private void queue(Map<String, Supplier<byte[]>> sets) {
        queuedCount += sets.size();
        sets.forEach((key, value) -> {
            pending.remove(key);
            pending.put(key, value);
        });
    }

    /** A failed batch goes back in front of what was queued meanwhile; a newer write of the same key wins. */
    private synchronized void requeue(LinkedHashMap<String, Supplier<byte[]>> failed) {
        LinkedHashMap<String, Supplier<byte[]>> merged = new LinkedHashMap<>(failed);
        pending.forEach((key, value) -> {
            merged.remove(key);
            merged.put(key, value);
        });
        pending = merged;
    }

    private static List<Map<String, byte[]>> chunks(LinkedHashMap<String, Supplier<byte[]>> batch) {
        List<Map<String, byte[]>> chunks = new ArrayList<>();
        Map<String, byte[]> chunk = new LinkedHashMap<>();
        for (Map.Entry<String, Supplier<byte[]>> write : batch.entrySet()) {
            if (chunk.size() == MAX_OPERATIONS) {
                chunks.add(chunk);
                chunk = new LinkedHashMap<>();
            }
            chunk.put(write.getKey(), write.getValue().get());
        }
        if (!chunk.isEmpty()) chunks.add(chunk);
        return chunks;
    }
}
