package dev.baton.server;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Registration;
import dev.baton.rollout.Resume;
import dev.baton.store.LockHolder;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;
import dev.baton.store.RolloutStore;
import dev.baton.store.ServiceLock;
import dev.baton.store.ServiceLocks;
import dev.baton.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Rollouts whose server stopped. Every scan reads the stored records (so that every server, a follower too, lists the
 * rollouts others started and how they stand); on the leader ({@link #resuming}), a rollout that has not ended and
 * whose service lock is free (its server's session expired) is taken over: lock, then {@code resume} from its journal,
 * so that the host that was out of rotation is put back or parked and the rest rolls on.
 */
final class Recovery implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private final RolloutStore store;
    private final ServiceLocks locks;
    private final RolloutCatalog catalog;
    private final RolloutRunner runner;
    private final Supplier<String> serverName;
    private boolean failing;
    private volatile boolean resuming;

    Recovery(RolloutStore store, ServiceLocks locks, RolloutCatalog catalog, RolloutRunner runner, Supplier<String> serverName) {
        this.store = store;
        this.locks = locks;
        this.catalog = catalog;
        this.runner = runner;
        this.serverName = serverName;
    }

    /** Whether scans take orphaned rollouts over (this server leads) or only read the records (it follows). */
    void resuming(boolean leading) {
        this.resuming = leading;
    }

    /** Reads the history once, at start: a restarted server lists every rollout. */
    void loadHistory() {
        for (RolloutRecord record : store.records()) catalog.remember(record);
    }

    @Override
    public void run() {
        try {
            scan();
            if (failing) LOG.warn("Consul answers again: scanning for rollouts to resume");
            failing = false;
        } catch (StoreException e) {
            if (!failing) LOG.warn("cannot scan for rollouts to resume (will retry): {}", e.getMessage());
            failing = true;
        } catch (RuntimeException e) {
            LOG.error("scanning for rollouts to resume failed", e);
        }
    }

    synchronized void scan() {
        for (String id : store.ids()) {
            if (catalog.isLive(id)) continue;
            Optional<RolloutRecord> known = catalog.known(id);
            if (known.isPresent() && known.get().status().isFinal()) continue;
            Optional<RolloutRecord> record = store.record(id);
            if (record.isEmpty()) continue;
            catalog.remember(record.get());
            if (!record.get().status().isFinal() && resuming) takeOver(record.get());
        }
    }

    private void takeOver(RolloutRecord record) {
        String rolled = RolledService.of(store, record);
        if (locks.holder(rolled).isPresent()) return; // its server is alive (or its session not yet expired)
        Optional<ServiceLock> held = locks.tryAcquire(rolled, new LockHolder(record.id(), serverName.get()));
        if (held.isEmpty()) return;
        ServiceLock lock = held.get();
        try {
            // read again under the lock: the rollout may have ended just before its server released it
            RolloutRecord fresh = store.record(record.id()).orElse(null);
            if (fresh == null || fresh.status().isFinal() || catalog.isLive(record.id())) {
                if (fresh != null) catalog.remember(fresh);
                lock.release();
                return;
            }
            List<LoggedEvent> events = store.events(fresh.id());
            Resume from = store.resume(fresh.id());
            Plan plan;
            String token;
            try {
                plan = new PlanLoader().parse("plan", store.plan(fresh.id()).orElse(""));
                token = runner.agentToken(plan);
            } catch (PlanException | RolloutException e) {
                fail(fresh, from, "cannot resume after the server stopped: " + e.getMessage());
                lock.release();
                return;
            }
            LOG.warn("resuming {} ({} {}) after its server stopped: {} host(s) settled, {} out of rotation",
                    fresh.id(), fresh.service(), fresh.version(), from.settled().size(), from.inFlight().size());
            runner.resume(fresh, events, plan, token, from, lock);
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    private void fail(RolloutRecord record, Resume from, String why) {
        List<String> out = from.inFlight().stream().map(Registration::instance).map(i -> i.id()).toList();
        String summary = why + (out.isEmpty() ? "" : "; still out of rotation: " + String.join(", ", out));
        LOG.error("{}: {}", record.id(), summary);
        RolloutRecord failed = new RolloutRecord(record.id(), record.service(), record.version(), RolloutStatus.FAILED,
                record.startedAt(), Instant.now(), summary, record.hosts());
        store.save(failed);
        catalog.remember(failed);
    }
}
