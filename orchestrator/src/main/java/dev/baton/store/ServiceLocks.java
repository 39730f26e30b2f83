package dev.baton.store;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One rollout per service, across every server sharing the Consul: a lock on {@code baton/locks/<service>}
 * held by a session (TTL, renewed in the background; release on invalidation; a 15 s lock delay, so that a server cut off from
 * Consul has stopped acting before another one may take the service), so that the
 * lock of a crashed server frees itself once its session expires.
 */
public final class ServiceLocks {
    static final String LOCKS = RolloutStore.ROOT + "locks/";

    private final ConsulKv kv;
    private final ScheduledExecutorService scheduler;
    private final Duration ttl;
    private final Duration renewEvery;

    public ServiceLocks(ConsulKv kv, ScheduledExecutorService scheduler, Duration ttl, Duration renewEvery) {
        this.kv = kv;
        this.scheduler = scheduler;
        this.ttl = ttl;
        this.renewEvery = renewEvery;
    }

    /** The lock, or empty when another session holds it. {@code holder} is stored as the lock's value. */
    public Optional<ServiceLock> tryAcquire(String service, LockHolder holder) {
        String session = kv.createSession("baton rollout of " + service, ttl);
        boolean acquired;
        try {
            acquired = kv.acquire(LOCKS + service, holder.json(), session);
        } catch (StoreException e) {
            kv.destroySession(session);
            throw e;
        }
        if (!acquired) {
            kv.destroySession(session);
            return Optional.empty();
        }
        return Optional.of(new ServiceLock(kv, LOCKS + service, session, scheduler, ttl, renewEvery));
    }

    /** Who holds the lock of the service now, if anyone. */
    public Optional<LockHolder> holder(String service) {
        return kv.get(LOCKS + service).filter(e -> e.session() != null).map(e -> LockHolder.parse(e.value()));
    }
}
