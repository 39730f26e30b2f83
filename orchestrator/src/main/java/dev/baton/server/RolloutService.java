package dev.baton.server;

import dev.baton.hooks.DeployHooks;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.RolloutControl;
import dev.baton.store.LockHolder;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStore;
import dev.baton.store.ServiceLock;
import dev.baton.store.ServiceLocks;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the API asks of the server: start a rollout (one per service at a time, across servers), list them,
 * show one, send it an operator's command, follow its events. Rollouts this server runs are answered from
 * memory; the others (ended, or run by another server) from Consul.
 */
public final class RolloutService {
    private final RolloutStore store;
    private final ServiceLocks locks;
    private final RolloutCatalog catalog;
    private final RolloutRunner runner;
    private final Supplier<String> serverName;
    private final DeployHooks hooks;
    private final RemoteFeeds remote;

    RolloutService(RolloutStore store, ServiceLocks locks, RolloutCatalog catalog, RolloutRunner runner, Supplier<String> serverName,
                   DeployHooks hooks, RemoteFeeds remote) {
        this.hooks = hooks;
        this.remote = remote;
        this.store = store;
        this.locks = locks;
        this.catalog = catalog;
        this.runner = runner;
        this.serverName = serverName;
    }

    /**
     * Validates the plan (its deploy hooks must be defined on this server), takes the lock of the service it rolls
     * and starts the rollout on its own thread.
     */
    public RolloutDetails start(String planText) {
        return start(planText, false);
    }

    /** A schedule's firing: the same start, for a plan whose {@code schedule:} has come due. */
    public RolloutDetails startScheduled(String planText) {
        return start(planText, true);
    }

    private RolloutDetails start(String planText, boolean scheduled) {
        Plan plan;
        try {
            plan = new PlanLoader().parse("plan", planText);
        } catch (PlanException e) {
            throw new RolloutException(RolloutException.Kind.BAD_INPUT, e.getMessage());
        }
        if (plan.schedule() != null && !scheduled) {
            throw new RolloutException(RolloutException.Kind.BAD_INPUT, "plan: schedule: this plan starts later; submit it "
                    + "with baton schedule create (POST /api/v1/schedules), or remove schedule: to start it now");
        }
        Optional<String> unknownHook = hooks.unknownIn(plan);
        if (unknownHook.isPresent()) throw new RolloutException(RolloutException.Kind.BAD_INPUT, "plan: " + unknownHook.get());
        String agentToken = runner.agentToken(plan);
        String rolled = RolledService.of(plan);
        ServiceLock lock = locks.tryAcquire(rolled, new LockHolder(null, serverName.get()))
                .orElseThrow(() -> busy(rolled, locks.holder(rolled).map(LockHolder::rollout).orElse(null)));
        try {
            Optional<RolloutRecord> orphan = unfinished(rolled);
            if (orphan.isPresent()) throw busy(rolled, orphan.get().id());
            String id = store.nextId(Instant.now());
            lock.describe(new LockHolder(id, serverName.get()));
            return runner.start(id, plan, planText, agentToken, lock).details();
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    /** Every rollout, newest first. */
    public List<RolloutRecord> list() {
        return catalog.all();
    }

    public RolloutDetails get(String id) {
        Optional<LiveRollout> live = catalog.live(id);
        if (live.isPresent()) return live.get().details();
        RolloutRecord stored = stored(id);
        List<LoggedEvent> events = store.events(id);
        return new RolloutDetails(RecordForm.shown(stored, events), events, List.of());
    }

    public RolloutDetails command(String id, RolloutControl.Command command) {
        Optional<LiveRollout> live = catalog.live(id);
        if (live.isPresent()) return live.get().command(command);
        RolloutRecord stored = stored(id);
        String action = command.name().toLowerCase();
        if (stored.status().isFinal()) {
            throw RolloutException.conflict("cannot " + action + " " + id + ": it ended " + stored.status());
        }
        String owner = locks.holder(RolledService.of(store, stored)).map(LockHolder::server).orElse(null);
        throw RolloutException.conflict("cannot " + action + " " + id + " here: it is run by "
                + (owner == null ? "a server that stopped (another one resumes it shortly)" : "the server at " + owner));
    }

    /**
     * The events after {@code afterSeq}, then live ones until the rollout ends: from memory when this server runs it,
     * from Consul otherwise (a rollout that ended, or one another server runs, followed by one blocking query here).
     */
    public Feed follow(String id, long afterSeq) {
        Optional<LiveRollout> live = catalog.live(id);
        if (live.isPresent()) return live.get().follow(afterSeq);
        RolloutRecord stored = stored(id);
        if (stored.status().isFinal()) return new StoredFeed(store, catalog, id, afterSeq, stored.status());
        return remote.follow(id, afterSeq);
    }

    private RolloutRecord stored(String id) {
        if (!id.matches("r-[0-9]{8}-[0-9]{4,9}")) throw RolloutException.notFound(id);
        Optional<RolloutRecord> known = catalog.known(id).filter(r -> r.status().isFinal());
        if (known.isPresent()) return known.get();
        RolloutRecord record = store.record(id).orElseThrow(() -> RolloutException.notFound(id));
        catalog.remember(record);
        return record;
    }

    /** A rollout of the service that no server runs (its server stopped): it is resumed before any new one. */
    private Optional<RolloutRecord> unfinished(String service) {
        for (RolloutRecord record : catalog.knownRecords()) {
            if (!record.status().isFinal() && !catalog.isLive(record.id()) && RolledService.of(store, record).equals(service)) {
                Optional<RolloutRecord> fresh = store.record(record.id());
                fresh.ifPresent(catalog::remember);
                if (fresh.isPresent() && !fresh.get().status().isFinal()) return fresh;
            }
        }
        return Optional.empty();
    }

    private static RolloutException busy(String service, String rollout) {
        return RolloutException.conflict("service " + service + " is being rolled out by "
                + (rollout == null ? "another rollout" : rollout));
    }
}
