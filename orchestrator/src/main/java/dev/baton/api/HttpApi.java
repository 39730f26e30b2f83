package dev.baton.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.metrics.BatonMetrics;
import dev.baton.rollout.RolloutControl;
import dev.baton.schedule.RolloutScheduler;
import dev.baton.schedule.ScheduleView;
import dev.baton.server.FleetReader;
import dev.baton.server.Leadership;
import dev.baton.server.LivenessCheck;
import dev.baton.server.RolloutDetails;
import dev.baton.server.RolloutException;
import dev.baton.server.RolloutService;
import dev.baton.store.AuditLog;
import dev.baton.store.Json;
import dev.baton.store.StoreException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The REST API and the dashboard on Javalin, as docs/server-api.md describes them. Every {@code /api/v1} call
 * but the OpenAPI document needs a bearer token; GETs need viewer, POSTs deployer, the audit log admin. Every error
 * is one JSON line; every answer carries the security headers; every action and refused token is audited.
 */
public final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final String BASE = "/api/v1";
    static final String METRICS = "/metrics";
    private static final String OPENAPI = "/dev/baton/api/openapi.json";
    private static final String CALLER = "baton.caller";
    private static final int AUDIT_SHOWN = 500;
    private static final Map<String, RolloutControl.Command> ACTIONS = Map.of(
            "pause", RolloutControl.Command.PAUSE, "resume", RolloutControl.Command.RESUME,
            "abort", RolloutControl.Command.ABORT, "rollback", RolloutControl.Command.ROLLBACK,
            "promote", RolloutControl.Command.PROMOTE, "override-window", RolloutControl.Command.OVERRIDE_WINDOW);

    private final RolloutService rollouts;
    private final FleetReader fleet;
    private final Tokens tokens;
    private final EventStream events;
    private final AuditLog audit;
    private final RolloutScheduler schedules;
    private final RefusalBudget refusals = new RefusalBudget(30, Duration.ofSeconds(10));
    private final BatonMetrics metrics;
    private final FollowerGate followers;

    /**
     * {@code schedules} serves {@code /schedules}; with {@code metrics}, {@code GET /metrics} for Prometheus, behind a
     * viewer token like every read (null: no metrics).
     */
    public HttpApi(RolloutService rollouts, FleetReader fleet, Tokens tokens, AuditLog audit, Duration keepAlive, int maxStreams,
                   RolloutScheduler schedules, BatonMetrics metrics) {
        this(rollouts, fleet, tokens, audit, keepAlive, maxStreams, schedules, metrics, null);
    }

    /** {@code leadership}: a follower refuses writes with a pointer to the leader ({@link FollowerGate}); null: always leads. */
    public HttpApi(RolloutService rollouts, FleetReader fleet, Tokens tokens, AuditLog audit, Duration keepAlive, int maxStreams,
                   RolloutScheduler schedules, BatonMetrics metrics, Leadership leadership) {
        this.followers = new FollowerGate(leadership);
        this.schedules = schedules;
        this.metrics = metrics;
        this.rollouts = rollouts;
        this.fleet = fleet;
        this.tokens = tokens;
        this.audit = audit;
        this.events = new EventStream(rollouts, keepAlive, maxStreams);
    }

    /** The configured server, not started; with {@code tls} it listens only with TLS on {@code host:port}. */
    public Javalin create(int threads, ServerTls tls, String host, int port) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.disableCompression();
            config.http.maxRequestSize = PlanBody.LIMIT;
            QueuedThreadPool pool = new QueuedThreadPool(threads, 8, 60_000);
            pool.setName("baton-http");
            config.jetty.threadPool = pool;
            config.jetty.addConnector((server, http) -> tls != null ? Listeners.tls(server, http, tls, host, port)
                    : Listeners.plain(server, http, host, port));
            if (HttpApi.class.getResource("/web-ui/index.html") != null) {
                config.staticFiles.add(files -> {
                    files.hostedPath = "/";
                    files.directory = "/web-ui";
                    files.location = Location.CLASSPATH;
                    files.headers = SecurityHeaders.of(tls != null);
                });
            } else {
                LOG.warn("the dashboard is not packaged (no /web-ui on the classpath): only the API is served");
            }
        });
        Map<String, String> headers = SecurityHeaders.of(tls != null);
        app.before(ctx -> headers.forEach(ctx::header));
        app.get(LivenessCheck.PATH, ctx -> ctx.status(200).result("alive")); // Consul's check, without a token
        app.before(BASE + "/*", this::authenticate);
        app.before(BASE + "/*", this::leaderOnly);
        if (metrics != null) {
            app.before(METRICS, this::authenticate);
            app.get(METRICS, ctx -> ctx.status(200).contentType(BatonMetrics.contentType()).result(metrics.scrape()));
        }
        app.get(BASE + "/openapi.json", this::openApi);
        app.get(BASE + "/vocabulary", ctx -> json(ctx, 200, ApiViews.vocabulary()));
        app.get(BASE + "/me", ctx -> json(ctx, 200, new ApiViews.Me(caller(ctx).role().label())));
        app.get(BASE + "/audit", this::auditLog);
        app.get(BASE + "/rollouts", ctx -> json(ctx, 200,
                new ApiViews.Rollouts(rollouts.list().stream().map(ApiViews::summary).toList())));
        app.post(BASE + "/rollouts", this::start);
        app.get(BASE + "/rollouts/{id}", ctx -> json(ctx, 200, ApiViews.rollout(rollouts.get(ctx.pathParam("id")))));
        app.get(BASE + "/rollouts/{id}/events", events::handle);
        app.post(BASE + "/rollouts/{id}/{action}", this::command);
        app.get(BASE + "/schedules", ctx -> json(ctx, 200, Map.of("schedules", schedules.list())));
        app.post(BASE + "/schedules", this::schedule);
        app.delete(BASE + "/schedules/{id}", this::cancelSchedule);
        app.get(BASE + "/fleet", ctx -> json(ctx, 200, Map.of("services", fleet.read())));
        app.get(BASE + "/leader", ctx -> json(ctx, 200, followers.view()));

        app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        app.exception(FollowerGate.NotLeader.class, HttpApi::notLeader);
        app.exception(RolloutException.class, (e, ctx) -> error(ctx, status(e.kind()), e.getMessage()));
        app.exception(StoreException.class, (e, ctx) -> error(ctx, 503, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error (see the server log)");
        });
        app.error(404, ctx -> {
            if (ctx.path().startsWith("/api/") && !answeredJson(ctx)) {
                error(ctx, 404, "no such endpoint: " + ctx.method() + " " + printable(ctx.path()));
            }
        });
        return app;
    }

    /** Ends the event streams (before the server stops). */
    public void closeStreams() {
        events.close();
    }

    private void authenticate(Context ctx) {
        if (ctx.path().equals(BASE + "/openapi.json") || ctx.method() == HandlerType.OPTIONS) return;
        String authorization = ctx.header("Authorization");
        Caller caller = tokens.identify(authorization).orElse(null);
        if (caller == null) {
            String why = authorization == null ? "no token: send Authorization: Bearer <token>" : "unknown token";
            refused(null, "sign-in " + ctx.method() + " " + printable(ctx.path()), 401, why);
            throw new ApiError(401, why);
        }
        Role needed = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD ? Role.VIEWER : Role.DEPLOYER;
        if (ctx.path().equals(BASE + "/audit")) needed = Role.ADMIN;
        if (!caller.role().allows(needed)) {
            String why = "the " + caller.role().label() + " role may not do this (it needs " + needed.label() + ")";
            refused(caller, "denied " + ctx.method() + " " + printable(ctx.path()), 403, why);
            throw new ApiError(403, why);
        }
        ctx.attribute(CALLER, caller);
        if (ctx.req().getContentLengthLong() > PlanBody.LIMIT) {
            if (ctx.method() == HandlerType.POST) audited(caller, "submit", null, 413, "the body is too large");
            throw PlanBody.tooLarge(ctx);
        }
    }

    /** A write on a follower is refused (and audited) before it does anything; reads are served everywhere. */
    private void leaderOnly(Context ctx) {
        HandlerType method = ctx.method();
        if (method == HandlerType.GET || method == HandlerType.HEAD || method == HandlerType.OPTIONS) return;
        FollowerGate.NotLeader refused = followers.refusal().orElse(null);
        if (refused == null) return;
        audited(caller(ctx), "follower " + method + " " + printable(ctx.path()), null, refused.status(), refused.getMessage());
        throw refused;
    }

    private static Caller caller(Context ctx) {
        return ctx.attribute(CALLER);
    }

    private void start(Context ctx) throws JsonProcessingException {
        RolloutDetails started;
        try {
            started = rollouts.start(PlanBody.read(ctx));
        } catch (RuntimeException e) {
            audited(caller(ctx), "submit", null, statusOf(e), e.getMessage());
            throw e;
        }
        String id = started.rollout().id();
        audited(caller(ctx), "submit", id, 201, "started " + started.rollout().service() + " " + started.rollout().version());
        ctx.header("Location", BASE + "/rollouts/" + id);
        json(ctx, 201, ApiViews.rollout(started));
    }

    private void schedule(Context ctx) throws JsonProcessingException {
        ScheduleView created;
        try {
            created = schedules.create(PlanBody.read(ctx), caller(ctx).name());
        } catch (RuntimeException e) {
            audited(caller(ctx), "schedule", null, statusOf(e), e.getMessage());
            throw e;
        }
        audited(caller(ctx), "schedule", created.id(), 201, "scheduled " + created.service() + " " + created.version());
        ctx.header("Location", BASE + "/schedules/" + created.id());
        json(ctx, 201, created);
    }

    private void cancelSchedule(Context ctx) throws JsonProcessingException {
        String id = ctx.pathParam("id");
        ScheduleView cancelled;
        try {
            cancelled = schedules.cancel(id, caller(ctx).name());
        } catch (RuntimeException e) {
            audited(caller(ctx), "cancel-schedule", printable(id), statusOf(e), e.getMessage());
            throw e;
        }
        audited(caller(ctx), "cancel-schedule", id, 200, "cancelled");
        json(ctx, 200, cancelled);
    }

    private void command(Context ctx) throws JsonProcessingException {
        String action = ctx.pathParam("action").toLowerCase(Locale.ROOT);
        String id = ctx.pathParam("id");
        String shownId = id.matches("r-[0-9]{8}-[0-9]{4,9}") ? id : printable(id);
        RolloutControl.Command command = ACTIONS.get(action);
        if (command == null) {
            String why = "no such action: " + printable(action) + " (pause, resume, abort, rollback, promote, override-window)";
            audited(caller(ctx), printable(action), shownId, 404, why);
            throw new ApiError(404, why);
        }
        if (command == RolloutControl.Command.OVERRIDE_WINDOW && !caller(ctx).role().allows(Role.ADMIN)) {
            String why = "the " + caller(ctx).role().label() + " role may not override a deploy window (it needs admin)";
            audited(caller(ctx), action, shownId, 403, why);
            throw new ApiError(403, why);
        }
        RolloutDetails details;
        try {
            details = rollouts.command(id, command);
        } catch (RuntimeException e) {
            audited(caller(ctx), action, shownId, statusOf(e), e.getMessage());
            throw e;
        }
        audited(caller(ctx), action, id, 202, "accepted");
        json(ctx, 202, ApiViews.rollout(details));
    }

    private void auditLog(Context ctx) throws JsonProcessingException {
        json(ctx, 200, Map.of("entries", audit.recent(AUDIT_SHOWN)));
    }

    private void refused(Caller caller, String action, int status, String why) {
        int skipped = refusals.take();
        if (skipped < 0) return;
        audited(caller, action, null, status, why + (skipped == 0 ? "" : " (" + skipped + " more refusals before this one were not recorded)"));
    }

    private void audited(Caller caller, String action, String rollout, int status, String result) {
        String line = result == null ? "" : result.lines().findFirst().orElse("");
        audit.record(new AuditLog.Entry(Instant.now(), caller == null ? "unknown" : caller.name(),
                caller == null ? null : caller.role().label(), action, rollout, status, printable(line, 300)));
    }

    private static int statusOf(RuntimeException e) {
        if (e instanceof ApiError a) return a.status();
        if (e instanceof RolloutException r) return status(r.kind());
        if (e instanceof StoreException) return 503;
        return 500;
    }

    private void openApi(Context ctx) throws IOException {
        try (InputStream in = HttpApi.class.getResourceAsStream(OPENAPI)) {
            if (in == null) throw new ApiError(500, "the OpenAPI document is not packaged");
            ctx.status(200).contentType("application/json").result(in.readAllBytes());
        }
    }

    /** Our own errors are JSON already; Javalin's "endpoint not found" is not. */
    private static boolean answeredJson(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith("application/json");
    }

    private static int status(RolloutException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
    }

    private static void json(Context ctx, int status, Object body) throws JsonProcessingException {
        ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsString(body));
    }

    private static void notLeader(FollowerGate.NotLeader e, Context ctx) {
        e.headers().forEach(ctx::header);
        try {
            json(ctx, e.status(), e.body());
        } catch (JsonProcessingException bug) {
            error(ctx, e.status(), e.getMessage());
        }
    }

    private static void error(Context ctx, int status, String message) {
        String line = message == null ? "error" : message.lines().findFirst().orElse("error");
        try {
            json(ctx, status, Map.of("error", line));
        } catch (JsonProcessingException e) {
            ctx.status(500).result("{\"error\":\"internal error\"}");
        }
    }

    private static String printable(String text) {
        return printable(text, 100);
    }

    private static String printable(String text, int max) {
        String cut = text.length() > max ? text.substring(0, max) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
