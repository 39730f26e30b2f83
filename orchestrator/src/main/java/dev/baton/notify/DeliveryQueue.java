package dev.baton.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The deliveries not yet done, at most {@code capacity}: adding to a full queue drops the oldest. Senders take the
 * earliest due delivery; one taken is in flight until it is finished or put back for a retry.
 */
final class DeliveryQueue {
    private final int capacity;
    private final LinkedHashMap<String, Delivery> pending = new LinkedHashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private boolean closed;

    DeliveryQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    /** Adds a delivery; returns the one dropped to make room, or null. */
    synchronized Delivery add(Delivery delivery) {
        Delivery dropped = null;
        if (pending.size() >= capacity) {
            String oldest = pending.keySet().iterator().next();
            dropped = pending.remove(oldest);
            inFlight.remove(oldest);
        }
        pending.put(delivery.id(), delivery);
        notifyAll();
        return dropped;
    }

    /** The earliest due delivery, marked in flight; null after {@code maxWait} without one, or once closed. */
    synchronized Delivery take(Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!closed) {
            Instant now = Instant.now();
            Delivery next = null;
            for (Delivery d : pending.values()) {
                if (inFlight.contains(d.id())) continue;
                if (next == null || d.notBefore().isBefore(next.notBefore())) next = d;
            }
            if (next != null && !next.notBefore().isAfter(now)) {
                inFlight.add(next.id());
                return next;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            long untilDue = next == null ? Long.MAX_VALUE : Duration.between(now, next.notBefore()).toNanos();
            long waitNanos = Math.max(1_000_000, Math.min(left, untilDue));
            wait(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        }
        return null;
    }

    /** Done (delivered or given up). */
    synchronized void finished(String id) {
        pending.remove(id);
        inFlight.remove(id);
    }

    /** Back in the queue for a later attempt; false when it was dropped while in flight. */
    synchronized boolean retry(Delivery later) {
        inFlight.remove(later.id());
        if (!pending.containsKey(later.id())) return false;
        pending.put(later.id(), later);
        notifyAll();
        return true;
    }

    synchronized int size() {
        return pending.size();
    }

    synchronized List<Delivery> snapshot() {
        return new ArrayList<>(pending.values());
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
