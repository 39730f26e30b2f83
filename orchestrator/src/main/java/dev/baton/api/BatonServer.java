package dev.baton.api;

import dev.baton.consul.ConsulClient;
import dev.baton.server.AgentVersions;
import dev.baton.server.FleetReader;
import dev.baton.server.RolloutPorts;
import dev.baton.server.RolloutService;
import dev.baton.server.ServerParts;
import dev.baton.store.ConsulKv;
import dev.baton.store.RolloutStore;
import dev.baton.store.ServiceLocks;
import dev.baton.store.StoreException;
import dev.baton.wiring.Adapters;
import io.javalin.Javalin;
import okhttp3.OkHttpClient;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A Baton server, wired and listening: the API and dashboard over the rollout service, state in Consul. */
public final class BatonServer implements AutoCloseable {
    private static final int HTTP_THREADS = 512;
    private static final int MAX_STREAMS = 400;
    private static final int WATCHER_QUEUE = 4096;

    private final Javalin app;
    private final HttpApi api;
    private final ServerParts parts;
    private final ExecutorService lookups;
    private final ScheduledExecutorService scheduler;
    private final OkHttpClient http;
    private volatile String name = "starting";

    private BatonServer(ServerConfig config) {
        this.http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(3)).build();
        ConsulKv kv = new ConsulKv(http, config.consul(), config.consulToken());
        RolloutStore store = new RolloutStore(kv);
        store.ids(); // fails here, with one line, when Consul cannot be reached
        this.scheduler = Executors.newScheduledThreadPool(2, threads("baton-scheduler"));
        this.lookups = Executors.newFixedThreadPool(16, threads("baton-lookup"));
        ExecutorService runners = Executors.newCachedThreadPool(threads("baton-rollout"));
        AgentVersions versions = new AgentVersions(http, Duration.ofSeconds(1));
        RolloutPorts ports = config.ports() != null ? config.ports()
                : (plan, agentToken, events) -> Adapters.forPlan(plan, config.consul(), config.consulToken(), agentToken, events);
        ServiceLocks locks = new ServiceLocks(kv, scheduler, config.lockTtl(), config.lockTtl().dividedBy(3));
        this.parts = new ServerParts(store, locks, ports, versions, runners, lookups, scheduler, config.env(), () -> name, WATCHER_QUEUE);
        FleetReader fleet = new FleetReader(new ConsulClient(http, config.consulToken()), config.consul(), versions, lookups,
                config.agentPort(), () -> config.env().apply(ServerConfig.AGENT_TOKEN_ENV));
        this.api = new HttpApi(parts.service(), fleet, config.tokens(), config.keepAlive(), MAX_STREAMS);
        this.app = api.create(HTTP_THREADS);
    }

    /** Starts listening, then resumes the rollouts whose server stopped. Consul unreachable: a {@link StoreException}. */
    public static BatonServer start(ServerConfig config) {
        BatonServer server = new BatonServer(config);
        try {
            server.app.start(config.host(), config.port());
            server.name = config.host() + ":" + server.app.port();
            server.parts.startRecovery(config.recoveryEvery());
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public int port() {
        return app.port();
    }

    public String url() {
        return "http://" + name;
    }

    public RolloutService rollouts() {
        return parts.service();
    }

    /** Stops listening, then interrupts running rollouts and waits until they put their hosts back. */
    @Override
    public void close() {
        api.closeStreams();
        try {
            app.stop();
        } catch (RuntimeException e) {
            // stopping anyway
        }
        parts.close();
        lookups.shutdownNow();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
