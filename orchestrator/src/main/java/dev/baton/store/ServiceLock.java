package dev.baton.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A held service lock: its session is renewed until {@link #release}; {@link #onLost} hears if Consul drops it. */
public final class ServiceLock {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceLock.class);

    private final ConsulKv kv;
    private final String key;
    private final String session;
    private final ScheduledFuture<?> renewal;
    private volatile Runnable onLost = () -> {
    };
    private volatile boolean released;

    ServiceLock(ConsulKv kv, String key, String session, ScheduledExecutorService scheduler, Duration renewEvery) {
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
        try {
            if (!kv.renewSession(session)) {
                renewal.cancel(false);
                if (!released) {
                    LOG.warn("the Consul session holding {} expired: another server may take the service over", key);
                    onLost.run();
                }
            }
        } catch (StoreException e) {
            LOG.warn("cannot renew the session holding {} (will retry): {}", key, e.getMessage());
        }
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
