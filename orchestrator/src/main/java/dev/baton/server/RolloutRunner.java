package dev.baton.server;

import dev.baton.agentclient.AgentCredentials;
import dev.baton.notify.RolloutObserver;
import dev.baton.plan.Plan;
import dev.baton.rollout.EventSink;
import dev.baton.rollout.DeployWindows;
import dev.baton.rollout.Ports;
import dev.baton.rollout.Registry;
import dev.baton.rollout.Resume;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.StepFailure;
import dev.baton.rollout.Targets;
import dev.baton.store.KvJournal;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;
import dev.baton.store.RolloutStore;
import dev.baton.store.ServiceLock;
import dev.baton.store.Redactor;
import dev.baton.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs rollouts on their own threads: builds each one's view, journal and ports, runs (or resumes) the engine,
 * stores the final status and then releases the service lock. Stopping the server interrupts the rollouts:
 * the engine puts every host it took out back (or parks it) before they end.
 */
final class RolloutRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutRunner.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(90);

    private final RolloutStore store;
    private final RolloutPorts ports;
    private final RolloutCatalog catalog;
    private final AgentVersions versions;
    private final ExecutorService runners;
    private final ExecutorService lookups;
    private final Function<String, String> env;
    private final int watcherQueue;
    private final Redactor redactor;
    private final RolloutObserver observer;
    private volatile Function<String, DeployWindows> windows = service -> DeployWindows.ALWAYS_OPEN;

    RolloutRunner(RolloutStore store, RolloutPorts ports, RolloutCatalog catalog, AgentVersions versions,
                  ExecutorService runners, ExecutorService lookups, Function<String, String> env, int watcherQueue,
                  Redactor redactor, RolloutObserver observer) {
        this.redactor = redactor;
        this.observer = observer;
        this.store = store;
        this.ports = ports;
        this.catalog = catalog;
        this.versions = versions;
        this.runners = runners;
        this.lookups = lookups;
        this.env = env;
        this.watcherQueue = watcherQueue;
    }

    /** The deploy windows of each service (by its plan's service name); default always open. */
    void windows(Function<String, DeployWindows> replacement) {
        this.windows = replacement;
    }

    /** The agents' token: the server's own (plans cannot choose it); none needed for agentless (SSH) plans. */
    String agentToken(Plan plan) {
        String token = env.apply("BATON_AGENT_TOKEN");
        if (plan.restart().via() == Plan.RestartVia.SSH) return token == null || token.isBlank() ? null : token;
        if (token == null || token.isBlank()) {
            throw new RolloutException(RolloutException.Kind.BAD_INPUT, "this server has no agent token: start it with "
                    + "BATON_AGENT_TOKEN or --agent-token-file");
        }
        return token;
    }

    /** Starts a new rollout under the service lock, which it releases when the rollout ends. */
    LiveRollout start(String id, Plan plan, String planText, String agentToken, ServiceLock lock) {
        RolloutRecord record = new RolloutRecord(id, plan.service(), plan.version(), RolloutStatus.RUNNING, Instant.now(),
                null, null, List.of());
        LiveRollout live = new LiveRollout(new RolloutView(record), List.of(), store, new KvJournal(store, id), watcherQueue);
        Ports rolloutPorts = ports.forPlan(plan, agentToken, observed(live, new RolloutObserver.Rollout(id, plan.service(),
                plan.version(), false)));
        List<RolloutView.Target> targets = targets(rolloutPorts.registry(), plan);
        live.targets(targets);
        store.create(RecordForm.stored(live.record()), planText);
        launch(live, plan, rolloutPorts, null, lock);
        askVersions(live, plan, agentToken, targets);
        return live;
    }

    /** Continues a rollout whose server stopped, from its record, events and journal. */
    LiveRollout resume(RolloutRecord stored, List<LoggedEvent> events, Plan plan, String agentToken, Resume from,
                       ServiceLock lock) {
        RolloutView view = new RolloutView(RecordForm.shown(stored, events));
        view.resumed();
        LiveRollout live = new LiveRollout(view, events, store, new KvJournal(store, stored.id()), watcherQueue);
        Ports rolloutPorts = ports.forPlan(plan, agentToken, observed(live, new RolloutObserver.Rollout(stored.id(),
                plan.service(), plan.version(), true)));
        store.save(RecordForm.stored(live.record()));
        launch(live, plan, rolloutPorts, from, lock);
        return live;
    }

    private void launch(LiveRollout live, Plan plan, Ports rolloutPorts, Resume from, ServiceLock lock) {
        catalog.addLive(live);
        live.control().fence(lock::fenceBroken);
        live.control().handBack(lock::handBackClosed);
        live.control().windows(windows.apply(plan.service()));
        try {
            Future<?> running = runners.submit(() -> run(live, plan, rolloutPorts, from, lock));
            lock.onLost(() -> {
                // stop now: hosts in flight are put back or parked before another server may take the lock
                live.lockLost();
                running.cancel(true);
            });
        } catch (RuntimeException e) {
            catalog.retire(live, live.finish(RolloutStatus.FAILED, "the server is stopping; nothing was changed"));
            lock.release();
            throw new RolloutException(RolloutException.Kind.UNAVAILABLE, "the server is stopping");
        }
    }

    private void run(LiveRollout live, Plan plan, Ports rolloutPorts, Resume from, ServiceLock lock) {
        Thread.currentThread().setName("rollout-" + live.id());
        RolloutRecord last = null;
        try {
            RolloutEngine engine = new RolloutEngine(rolloutPorts);
            RolloutResult result = from == null ? engine.run(plan, live.control(), live)
                    : engine.resume(plan, live.control(), live, from);
            String fenced = lock.fenceBroken();
            if (fenced != null) {
                // another server may own the rollout now: its record is that server's to write
                LOG.warn("rollout {} handed over ({}): its hosts are back or parked; the record is left to the next owner",
                        live.id(), fenced);
                last = live.handOver(redactor.redact(result.summary()));
                return;
            }
            last = live.finish(RolloutStatus.valueOf(result.status().name()), redactor.redact(result.summary()));
        } catch (RuntimeException | Error e) {
            StoreException store = storeFailure(e);
            if (store == null) LOG.error("rollout {} crashed", live.id(), e);
            else LOG.error("rollout {} stopped: {}", live.id(), store.getMessage());
            last = live.finish(RolloutStatus.FAILED, store != null ? "stopped: " + store.getMessage()
                    : "internal error (see the server log): " + e.getClass().getSimpleName());
        } finally {
            lock.release();
            catalog.retire(live, last != null ? last : live.record());
            RolloutObserver.Rollout rollout = new RolloutObserver.Rollout(live.id(), plan.service(), plan.version(), from != null);
            if (last != null && last.status().isFinal()) ended(rollout, last);
            else handedOver(rollout);
        }
    }

    /** The live rollout first (numbered, stored, shown), then the observer, which never holds the rollout up. */
    private EventSink observed(LiveRollout live, RolloutObserver.Rollout rollout) {
        return event -> {
            live.emit(event);
            try {
                observer.event(rollout, event);
            } catch (RuntimeException e) {
                LOG.warn("rollout {}: an observer failed on an event: {}", rollout.id(), e.toString());
            }
        };
    }

    private void handedOver(RolloutObserver.Rollout rollout) {
        try {
            observer.handedOver(rollout);
        } catch (RuntimeException e) {
            LOG.warn("rollout {}: an observer failed on its hand-over: {}", rollout.id(), e.toString());
        }
    }

    private void ended(RolloutObserver.Rollout rollout, RolloutRecord last) {
        try {
            observer.ended(rollout, last.status(), last.summary());
        } catch (RuntimeException e) {
            LOG.warn("rollout {}: an observer failed on its end: {}", rollout.id(), e.toString());
        }
    }

    private static StoreException storeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreException s) return s;
        }
        return null;
    }

    /** The hosts the engine will take (the same resolution), to show them before it starts; empty if unknown. */
    private static List<RolloutView.Target> targets(Registry registry, Plan plan) {
        try {
            return Targets.resolve(registry, plan.targets()).stream()
                    .map(i -> new RolloutView.Target(i.id(), i.address())).toList();
        } catch (StepFailure | RuntimeException e) {
            return List.of();
        }
    }

    private void askVersions(LiveRollout live, Plan plan, String agentToken, List<RolloutView.Target> targets) {
        if (plan.restart().via() == Plan.RestartVia.SSH) return;
        AgentCredentials agents;
        try {
            agents = AgentCredentials.of(agentToken, env::apply);
        } catch (IllegalArgumentException e) {
            return;
        }
        for (RolloutView.Target target : targets) {
            try {
                lookups.execute(() -> versions.current(agents, plan.agent().scheme(), target.address(), plan.agent().port())
                        .ifPresent(v -> live.reported(target.id(), v)));
            } catch (RuntimeException stopping) {
                return;
            }
        }
    }

    /** Interrupts every rollout and waits (bounded) until each has put its hosts back and stored its end. */
    @Override
    public void close() {
        lookups.shutdownNow();
        runners.shutdownNow();
        try {
            if (!runners.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("rollouts still running after {}s; stopping anyway", STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
