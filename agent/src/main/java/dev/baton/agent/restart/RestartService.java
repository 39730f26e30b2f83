package dev.baton.agent.restart;

import dev.baton.agent.app.ProcessControl;
import dev.baton.agent.app.ReadinessProbe;
import dev.baton.agent.release.ReleaseInstaller;
import dev.baton.agent.release.ReleaseStore;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/** Accepts restart requests and runs them, one at a time, on a background thread. */
public final class RestartService implements AutoCloseable {

    private final Operations operations = new Operations();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "baton-restart");
        thread.setDaemon(true);
        return thread;
    });
    private final ReleaseStore store;
    private final ReleaseInstaller installer;
    private final ProcessControl app;
    private final ReadinessProbe probe;
    private final int keepReleases;

    public RestartService(ReleaseStore store, ReleaseInstaller installer, ProcessControl app, ReadinessProbe probe,
                          int keepReleases) {
        this.store = store;
        this.installer = installer;
        this.app = app;
        this.probe = probe;
        this.keepReleases = keepReleases;
    }

    /**
     * Validates and starts a restart; returns its initial snapshot.
     *
     * @throws InvalidRequestException if the request is invalid (nothing changed)
     * @throws OperationConflictException if another operation is running
     */
    public OperationView submit(RestartRequest request) {
        RestartPlan plan = RestartPlan.validate(request, store, installer.policy());
        if (plan.strategy() == Strategy.HANDOFF) {
            app.handOffRefusal().ifPresent(reason -> {
                throw new InvalidRequestException(reason);
            });
        }
        Operation operation = operations.begin(plan);
        OperationView accepted = operation.snapshot();
        try {
            worker.execute(new RestartRunner(operation, plan, store, installer, app, probe, keepReleases));
        } catch (RejectedExecutionException e) {
            operation.fail("the agent is shutting down");
            throw new IllegalStateException("the agent is shutting down", e);
        }
        return accepted;
    }

    public Optional<OperationView> find(String id) {
        return operations.find(id).map(Operation::snapshot);
    }

    public Optional<String> runningOperationId() {
        return operations.running().map(Operation::id);
    }

    /** Interrupts a running operation; the app itself is left as it is. */
    @Override
    public void close() {
        worker.shutdownNow();
    }
}
