package dev.baton.server;

import dev.baton.store.RolloutStore;
import dev.baton.store.ServiceLocks;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The rollout side of a server, wired: the service the API calls, the runner of rollouts, and the recovery
 * that resumes rollouts whose server stopped. {@link #close} interrupts running rollouts and waits for them.
 */
public final class ServerParts implements AutoCloseable {
    private final RolloutService service;
    private final RolloutRunner runner;
    private final Recovery recovery;
    private final ScheduledExecutorService scheduler;
    private ScheduledFuture<?> scanning;

    public ServerParts(RolloutStore store, ServiceLocks locks, RolloutPorts ports, AgentVersions versions,
                       ExecutorService runners, ExecutorService lookups, ScheduledExecutorService scheduler,
                       Function<String, String> env, Supplier<String> serverName, int watcherQueue) {
        RolloutCatalog catalog = new RolloutCatalog();
        this.runner = new RolloutRunner(store, ports, catalog, versions, runners, lookups, env, watcherQueue);
        this.service = new RolloutService(store, locks, catalog, runner, serverName);
        this.recovery = new Recovery(store, locks, catalog, runner, serverName);
        this.scheduler = scheduler;
    }

    public RolloutService service() {
        return service;
    }

    /** Reads the stored history, then resumes orphaned rollouts now and every {@code every}. */
    public void startRecovery(Duration every) {
        recovery.loadHistory();
        scanning = scheduler.scheduleWithFixedDelay(recovery, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (scanning != null) scanning.cancel(false);
        runner.close();
    }
}
