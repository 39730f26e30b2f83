package dev.baton.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A held service lock: its session is renewed until {@link #release}; {@link #onLost} hears if Consul drops it.
 * {@link #fenceBroken} is the fence the runner asks before every host leaves rotation: the lock counts as held only
 * while the last renewal Consul accepted started less than {@link LockTiming#LEASE} ago, so a server cut off from
 * Consul, or stalled long enough for its liveness check to fail, stops acting before the lock delay lets another
 * server take the service over (the inequality is in {@link LockTiming}).
 */
public final class ServiceLock {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceLock.class);

    private final ConsulKv kv;
    private final String key;
    private final String session;
    private final ScheduledFuture<?> renewal;
    private volatile Runnable onLost = () -> {
    };
    private volatile boolean released;
    private volatile boolean lost;
    private volatile long confirmedAt;

    /** {@code confirmedAt}: when (nanoTime) the call that created the session or took the lock started. */
    ServiceLock(ConsulKv kv, String key, String session, ScheduledExecutorService scheduler, long confirmedAt, Duration renewEvery) {
        this.confirmedAt = confirmedAt;
        this.kv = kv;
        this.key = key;
        this.session = session;
        this.renewal = scheduler.scheduleWithFixedDelay(this::renew, renewEvery.toMillis(), renewEvery.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Rewrites the lock's value (the holder), keeping the lock. */
    public void describe(LockHolder holder) {
        if (!kv.acquire(key, holder.json(), session)) {
            throw new StoreException("lost the lock " + key + " while describing its holder");
        }
    }

    public void onLost(Runnable action) {
        this.onLost = action;
    }

    private void renew() {
        if (released) return;
        long started = System.nanoTime();
        try {
            if (kv.renewSession(session)) {
                confirmedAt = started;
            } else {
                lost = true;
                renewal.cancel(false);
                if (!released) {
                    LOG.warn("the Consul session holding {} expired: another server may take the service over", key);
                    onLost.run();
                }
            }
        } catch (StoreException e) {
            if (!released && fenceBroken() != null) {
                lost = true;
                renewal.cancel(false);
                LOG.warn("cannot renew the session holding {} within its lease: giving the service up ({})", key, e.getMessage());
                onLost.run();
            } else {
                LOG.warn("cannot renew the session holding {} (will retry): {}", key, e.getMessage());
            }
        }
    }

    /** Null while this process may act for the lock's holder; otherwise why it may not. */
    public String fenceBroken() {
        if (released) return "the lock " + key + " was released";
        if (lost) return "this server lost the lock " + key + " (its Consul session was invalidated)";
        String expired = LockTiming.expired(confirmedAt);
        return expired == null ? null : "this server holds the lock " + key + " no more: " + expired
                + "; another server may take the service over";
    }

    /**
     * Null while this process may still put back or park the hosts it has out of rotation (even after its fence
     * broke), otherwise why not (see {@link LockTiming#HAND_BACK}).
     */
    public String handBackClosed() {
        return LockTiming.handBackClosed(confirmedAt);
    }

    /** Releases the lock and destroys the session; never throws (the session's TTL frees the lock anyway). */
    public void release() {
        if (released) return;
        released = true;
        renewal.cancel(false);
        try {
            kv.release(key, session);
            kv.destroySession(session);
        } catch (StoreException e) {
            LOG.warn("cannot release {} (its session expires on its own): {}", key, e.getMessage());
        }
    }
}
