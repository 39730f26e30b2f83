package dev.baton.agent;

import dev.baton.agent.app.ProcessControl;
import dev.baton.agent.app.ReadinessProbe;
import dev.baton.agent.hook.HookRunner;
import dev.baton.agent.hook.HookUser;
import dev.baton.agent.http.BearerAuth;
import dev.baton.agent.http.HttpApi;
import dev.baton.agent.http.StatusReporter;
import dev.baton.agent.release.ArtifactDownloader;
import dev.baton.agent.release.ArtifactPolicy;
import dev.baton.agent.release.ReleaseInstaller;
import dev.baton.agent.release.ReleaseStore;
import dev.baton.agent.release.TarGzExtractor;
import dev.baton.agent.restart.PrefetchService;
import dev.baton.agent.restart.RestartService;
import dev.baton.agent.traffic.TrafficWatch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent: wires the parts together, serves the API, and on start adopts or launches the app (or, under a
 * supervisor, leaves that to it). Stopping the agent never stops the app, so upgrading the agent causes no downtime.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final ReleaseStore store;
    private final ProcessControl app;
    private final RestartService restarts;
    private final TrafficWatch traffic;
    private final HttpApi api;

    /** @throws IllegalArgumentException if the app command cannot be parsed or the ready URL has no usable port */
    public Agent(AgentConfig config) {
        this.config = config;
        AgentHome home = new AgentHome(config.home());
        this.store = new ReleaseStore(home);
        AgentOptions options = config.options();
        this.app = options.processControl().create(home, config.appCommand(),
                CleanEnvironment.with(System.getenv(), options.appEnv()));
        ReadinessProbe probe = new ReadinessProbe(config.readyUrl());
        ReleaseInstaller installer = new ReleaseInstaller(store,
                new ArtifactDownloader(Duration.ofSeconds(10), Duration.ofSeconds(30), new ArtifactPolicy(
                        config.options().artifactDir(), config.options().crossHostRedirects(),
                        ArtifactPolicy.DEFAULT_MAX_BYTES)), new TarGzExtractor());
        this.restarts = new RestartService(store, installer, app, probe, options.keepReleases());
        this.traffic = new TrafficWatch(config.appAddress(), config.appPort(), "ss");
        if (options.allowHooks() && options.hookUser() == null) {
            LOG.warn("hooks run as the agent's own user and could read its token; give --hook-user on a real host");
        }
        HookRunner hooks = options.allowHooks()
                ? new HookRunner(home, System.getenv(), options.hookUser() == null ? null : HookUser.lookup(options.hookUser()))
                : null;
        this.api = new HttpApi(new BearerAuth(config.token()), restarts,
                new StatusReporter(app, store, probe, restarts), traffic, new PrefetchService(store, installer), hooks);
    }

    /**
     * Prepares the home directory, binds the API, then adopts a running app or starts the current release.
     *
     * @throws java.net.BindException if the listen address is in use
     * @throws IOException if the home directory cannot be prepared
     */
    public void start() throws IOException {
        store.prepare();
        api.start(config.listen(), config.options().tls() == null ? null : config.options().tls().context());
        LOG.info("agent listening on {}, home {}", address(), config.home());
        startOrAdoptApp();
    }

    /** The bound API address (useful with port 0). */
    public InetSocketAddress address() {
        return api.address();
    }

    /** Stops serving and interrupts a running operation; the app keeps running. */
    public void stop() {
        api.close();
        traffic.close();
        restarts.close();
        LOG.info("agent stopped; the app keeps running");
    }

    @Override
    public void close() {
        stop();
    }

    private void startOrAdoptApp() {
        app.onAgentStart(store.hasCurrent());
    }
}
