package dev.baton.api;

import dev.baton.consul.ConsulClient;
import dev.baton.hooks.CommandHookRunner;
import dev.baton.metrics.BatonMetrics;
import dev.baton.notify.RolloutObserver;
import dev.baton.notify.Webhook;
import dev.baton.notify.WebhookNotifier;
import dev.baton.rollout.Clock;
import dev.baton.rollout.HookRunner;
import dev.baton.schedule.RolloutScheduler;
import dev.baton.store.AuditLog;
import dev.baton.store.RedactedLog;
import dev.baton.store.Redactor;
import dev.baton.server.AgentVersions;
import dev.baton.server.FleetReader;
import dev.baton.server.Leadership;
import dev.baton.server.LivenessCheck;
import dev.baton.server.RolloutPorts;
import dev.baton.server.RolloutService;
import dev.baton.server.ServerParts;
import dev.baton.store.ConsulKv;
import dev.baton.store.RolloutStore;
import dev.baton.store.LockTiming;
import dev.baton.store.ServiceLocks;
import dev.baton.store.StoreException;
import dev.baton.wiring.Adapters;
import dev.baton.wire.NoDelaySockets;
import io.javalin.Javalin;
import okhttp3.OkHttpClient;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private static final int AUDIT_KEEP = 1000;
    private static final int WEBHOOK_SENDERS = 2;
    /** How long start waits for the first leadership round (a lone server leads before it answers its first write). */
    private static final Duration FIRST_ELECTION = Duration.ofSeconds(5);

    private final Javalin app;
    private final HttpApi api;
    private final ServerParts parts;
    private final RolloutScheduler schedules;
    private final ExecutorService lookups;
    private final ScheduledExecutorService scheduler;
    private final OkHttpClient http;
    private final WebhookNotifier webhooks;
    private final Leadership leadership;
    private final LivenessCheck liveness;
    private final String scheme;
    private final String advertise;
    private volatile String name = "starting";

    /** A configuration the server refuses to start with (e.g. plain HTTP on a public address); one line. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private BatonServer(ServerConfig config) {
        this.scheme = config.tls() != null ? "https" : "http";
        this.advertise = config.advertise();
        this.http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(3)).socketFactory(new NoDelaySockets()).build();
        ConsulKv kv = new ConsulKv(http, config.consul(), config.consulToken());
        RolloutStore store = new RolloutStore(kv);
        store.ids(); // fails here, with one line, when Consul cannot be reached
        this.scheduler = Executors.newScheduledThreadPool(2, threads("baton-scheduler"));
        this.lookups = Executors.newFixedThreadPool(16, threads("baton-lookup"));
        ExecutorService runners = Executors.newCachedThreadPool(threads("baton-rollout"));
        AgentVersions versions = new AgentVersions(http, Duration.ofSeconds(1));
        Redactor redactor = new Redactor(secrets(config));
        RedactedLog.use(redactor);
        HookRunner hooks = new CommandHookRunner(config.hooks(), redactor);
        RolloutPorts ports = config.ports() != null ? config.ports()
                : (plan, agentToken, events) -> Adapters.forPlan(plan, config.consul(), config.consulToken(), agentToken, hooks, events);
        String id = serverId();
        this.liveness = new LivenessCheck(kv, id);
        LockTiming timing = new LockTiming(config.lockTtl(), liveness::checks);
        ServiceLocks locks = new ServiceLocks(kv, scheduler, timing);
        BatonMetrics metrics = new BatonMetrics();
        this.webhooks = new WebhookNotifier(config.webhooks(), kv, http, WebhookNotifier.DEFAULT_CAPACITY, WEBHOOK_SENDERS);
        metrics.watch(webhooks);
        this.parts = new ServerParts(store, locks, ports, versions, runners, lookups, scheduler, config.agentToken(),
                config.hooks(), redactor, () -> name, WATCHER_QUEUE, RolloutObserver.all(List.of(metrics, webhooks)));
        parts.windows(config.windows()::forService);
        this.schedules = new RolloutScheduler(kv, config.windows(), plan -> parts.service().startScheduled(plan).rollout().id(),
                Clock.SYSTEM);
        schedules.onLag(metrics::scheduleLag);
        this.leadership = new Leadership(kv, id, this::url, timing, leaderDuties(metrics));
        FleetReader fleet = new FleetReader(new ConsulClient(http, config.consulToken()), config.consul(), parts.history());
        this.api = new HttpApi(parts.service(), fleet, config.tokens(), new AuditLog(kv, AUDIT_KEEP), config.keepAlive(), MAX_STREAMS,
                schedules, metrics, leadership);
        this.app = api.create(HTTP_THREADS, config.tls(), config.host(), config.port());
    }

    /**
     * What only the leader of the servers sharing the Consul does: resume the rollouts whose server stopped (and so own
     * every running rollout), fire schedules, send webhooks. A follower serves reads, the dashboard and event streams,
     * and refuses writes with a pointer to the leader ({@link FollowerGate}).
     */
    private Leadership.Listener leaderDuties(BatonMetrics metrics) {
        return new Leadership.Listener() {
            @Override
            public void elected() {
                metrics.leader(true);
                parts.resumeOrphans();
                schedules.activate();
                webhooks.start();
            }

            @Override
            public void deposed(String why) {
                metrics.leader(false);
                parts.stopResumingOrphans();
                schedules.standby();
                webhooks.stop();
            }
        };
    }

    /**
     * Starts listening, reads the history, then campaigns for leadership (waiting a moment for the first round): the
     * leader resumes the rollouts whose server stopped. Consul unreachable: a {@link StoreException};
     * plain HTTP on an address other than loopback without {@code insecureHttp}: {@link Refused}.
     */
    public static BatonServer start(ServerConfig config) {
        if (config.tls() == null && !config.insecureHttp() && !loopback(config.host())) {
            throw new Refused("refusing plain HTTP on " + config.host() + ", which is not a loopback address: tokens would "
                    + "cross the network in clear; give --tls-cert and --tls-key (or --insecure-http behind a TLS proxy)");
        }
        BatonServer server = new BatonServer(config);
        try {
            server.app.start(config.host(), config.port());
            server.name = config.host() + ":" + server.app.port();
            server.liveness.register(server.scheme, config.host(), server.app.port());
            server.parts.startScanning(config.recoveryEvery());
            server.leadership.start(FIRST_ELECTION);
            return server;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new Refused("interrupted while starting");
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public int port() {
        return app.port();
    }

    /** Where this server listens: {@code scheme://host:port}. */
    public String listening() {
        return scheme + "://" + name;
    }

    /** The advertised URL ({@code --advertise}), else the listening address. */
    public String url() {
        return advertise != null ? advertise : scheme + "://" + name;
    }

    /** True while this server leads the servers sharing its Consul. */
    public boolean leading() {
        return leadership.leading();
    }

    public RolloutService rollouts() {
        return parts.service();
    }

    /**
     * Stops listening and leading (another server may take over at once), then interrupts running rollouts and waits
     * until they put their hosts back (their service locks keep the next leader off them until then).
     */
    @Override
    public void close() {
        api.closeStreams();
        try {
            app.stop();
        } catch (RuntimeException e) {
            // stopping anyway
        }
        leadership.close();
        schedules.close();
        parts.close();
        webhooks.close();
        liveness.deregister(); // last: it invalidates the sessions still bound to its check
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

    /** Names this process in the leader key (the URL is what followers use). */
    private static String serverId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + Integer.toHexString(new java.security.SecureRandom().nextInt());
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress() || host.equals("localhost");
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The values no event, answer or hook output may show: the agents' token and Consul's ACL token. */
    private static List<String> secrets(ServerConfig config) {
        List<String> secrets = new ArrayList<>();
        if (config.agentToken() != null) secrets.add(config.agentToken());
        if (config.consulToken() != null) secrets.add(config.consulToken());
        for (Webhook webhook : config.webhooks()) {
            if (webhook.secret() != null) secrets.add(new String(webhook.secret(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return secrets;
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
