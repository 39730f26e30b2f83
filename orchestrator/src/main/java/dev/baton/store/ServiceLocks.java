package dev.baton.store;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One rollout per service, across every server sharing the Consul: a lock on {@code baton/locks/<service>}
 * held by a session (bound to the server's liveness check, renewed in the background, released on invalidation, with
 * the lock delay of {@link LockTiming} so that a server cut off or stalled has stopped acting before another one may
 * take the service), so that the lock of a crashed server frees itself about a check interval after it died.
 */
public final class ServiceLocks {
    static final String LOCKS = RolloutStore.ROOT + "locks/";

    private final ConsulKv kv;
    private final ScheduledExecutorService scheduler;
    private final LockTiming timing;

    public ServiceLocks(ConsulKv kv, ScheduledExecutorService scheduler, LockTiming timing) {
        this.kv = kv;
        this.scheduler = scheduler;
        this.timing = timing;
    }

    /** The lock, or empty when another session holds it. {@code holder} is stored as the lock's value. */
    public Optional<ServiceLock> tryAcquire(String service, LockHolder holder) {
        long started = System.nanoTime();
        String session = timing.createSession(kv, "baton rollout of " + service);
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
        return Optional.of(new ServiceLock(kv, LOCKS + service, session, scheduler, started, LockTiming.RENEW_EVERY));
    }

    /** Who holds the lock of the service now, if anyone. */
    public Optional<LockHolder> holder(String service) {
        return kv.get(LOCKS + service).filter(e -> e.session() != null).map(e -> LockHolder.parse(e.value()));
    }
}
