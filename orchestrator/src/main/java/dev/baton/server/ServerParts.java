package dev.baton.server;

import dev.baton.hooks.DeployHooks;
import dev.baton.notify.RolloutObserver;
import dev.baton.store.Redactor;
import dev.baton.store.RolloutStore;
import dev.baton.store.ServiceLocks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The rollout side of a server, wired: the service the API calls, the runner of rollouts, and the recovery
 * that resumes rollouts whose server stopped. {@link #close} interrupts running rollouts and waits for them.
 * Every event passes the redactor before it is kept, stored or shown.
 */
public final class ServerParts implements AutoCloseable {
    private final RolloutService service;
    private final RolloutRunner runner;
    private final Recovery recovery;
    private final RemoteFeeds remote;
    private final ScheduledExecutorService scheduler;
    private ScheduledFuture<?> scanning;

    /**
     * @param agentToken the server's token for the Baton agents, or null (rollouts are refused)
     * @param hooks      the deploy hooks plans may name
     */
    public ServerParts(RolloutStore store, ServiceLocks locks, RolloutPorts ports, AgentVersions versions,
                       ExecutorService runners, ExecutorService lookups, ScheduledExecutorService scheduler,
                       String agentToken, DeployHooks hooks, Redactor redactor, Supplier<String> serverName, int watcherQueue) {
        this(store, locks, ports, versions, runners, lookups, scheduler, agentToken, hooks, redactor, serverName, watcherQueue,
                RolloutObserver.NONE);
    }

    /** @param observer sees every rollout's (redacted) events and final status: webhooks, metrics */
    public ServerParts(RolloutStore store, ServiceLocks locks, RolloutPorts ports, AgentVersions versions,
                       ExecutorService runners, ExecutorService lookups, ScheduledExecutorService scheduler,
                       String agentToken, DeployHooks hooks, Redactor redactor, Supplier<String> serverName, int watcherQueue,
                       RolloutObserver observer) {
        RolloutCatalog catalog = new RolloutCatalog();
        RolloutPorts redacted = (plan, token, events) -> ports.forPlan(plan, token, new RedactingEvents(events, redactor));
        this.runner = new RolloutRunner(store, redacted, catalog, versions, runners, lookups,
                name -> "BATON_AGENT_TOKEN".equals(name) ? agentToken : null, watcherQueue, redactor, observer);
        this.remote = new RemoteFeeds(store, catalog, watcherQueue);
        this.service = new RolloutService(store, locks, catalog, runner, serverName, hooks, remote);
        this.recovery = new Recovery(store, locks, catalog, runner, serverName);
        this.scheduler = scheduler;
    }

    /** The deploy windows every rollout from now on waits for, by service. */
    public void windows(java.util.function.Function<String, dev.baton.rollout.DeployWindows> windows) {
        runner.windows(windows);
    }

    public RolloutService service() {
        return service;
    }

    /** Every rollout this server knows, newest first (the fleet view takes each host's last known release from it). */
    public Supplier<List<dev.baton.store.RolloutRecord>> history() {
        return service::list;
    }

    /**
     * Reads the stored history, then scans the records every {@code every}: every server, leader or not, lists the
     * rollouts any server started and how they stand.
     */
    public synchronized void startScanning(Duration every) {
        recovery.loadHistory();
        scanning = scheduler.scheduleWithFixedDelay(recovery, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** From now on (this server leads), the scans also resume rollouts whose server stopped; the first scan runs now. */
    public void resumeOrphans() {
        recovery.resuming(true);
        scheduler.execute(recovery);
    }

    /** This server no longer leads: it resumes nothing more (the rollouts it runs stay fenced by their service locks). */
    public void stopResumingOrphans() {
        recovery.resuming(false);
    }

    @Override
    public void close() {
        stopResumingOrphans();
        synchronized (this) {
            if (scanning != null) scanning.cancel(false);
        }
        remote.close();
        runner.close();
    }
}
