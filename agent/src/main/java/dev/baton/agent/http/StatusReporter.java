package dev.baton.agent.http;

import dev.baton.agent.app.ProcessControl;
import dev.baton.agent.app.ReadinessProbe;
import dev.baton.agent.release.ReleaseStore;
import dev.baton.agent.restart.RestartService;
import java.util.List;
import java.util.OptionalLong;

/** Builds the bodies of {@code GET /v1/status} and {@code GET /v1/releases}. */
public final class StatusReporter {

    /** {@code agentVersion}: the agent's own build (null when run from classes, not the packaged jar). */
    public record Status(Long pid, boolean running, String current, List<String> releases, boolean ready,
                         String operation, String agentVersion) {
    }

    public record Releases(String current, List<String> releases) {
    }

    private final ProcessControl app;
    private final ReleaseStore store;
    private final ReadinessProbe probe;
    private final RestartService restarts;

    public StatusReporter(ProcessControl app, ReleaseStore store, ReadinessProbe probe, RestartService restarts) {
        this.app = app;
        this.store = store;
        this.probe = probe;
        this.restarts = restarts;
    }

    public Status status() throws InterruptedException {
        OptionalLong pid;
        try {
            pid = app.mainPid();
        } catch (java.io.IOException e) {
            pid = OptionalLong.empty();
        }
        boolean ready = probe.probe().ready();
        return new Status(pid.isPresent() ? pid.getAsLong() : null, pid.isPresent(),
                store.currentVersion().orElse(null), store.versions(), ready,
                restarts.runningOperationId().orElse(null), AgentBuild.VERSION);
    }

    public Releases releases() {
        return new Releases(store.currentVersion().orElse(null), store.versions());
    }
}
