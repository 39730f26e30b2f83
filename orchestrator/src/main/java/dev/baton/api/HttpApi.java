package dev.baton.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.rollout.RolloutControl;
import dev.baton.server.FleetReader;
import dev.baton.server.RolloutDetails;
import dev.baton.server.RolloutException;
import dev.baton.server.RolloutService;
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
import java.util.Locale;
import java.util.Map;

/**
 * The REST API and the dashboard on Javalin, as docs/server-api.md describes them. Every {@code /api/v1} call
 * but the OpenAPI document needs a bearer token; GETs need viewer, POSTs deployer. Every error is one JSON line.
 */
public final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final String BASE = "/api/v1";
    private static final String OPENAPI = "/dev/baton/api/openapi.json";
    private static final String ROLE = "baton.role";
    private static final Map<String, RolloutControl.Command> ACTIONS = Map.of(
            "pause", RolloutControl.Command.PAUSE, "resume", RolloutControl.Command.RESUME,
            "abort", RolloutControl.Command.ABORT, "rollback", RolloutControl.Command.ROLLBACK,
            "promote", RolloutControl.Command.PROMOTE);

    private final RolloutService rollouts;
    private final FleetReader fleet;
    private final Tokens tokens;
    private final EventStream events;

    public HttpApi(RolloutService rollouts, FleetReader fleet, Tokens tokens, Duration keepAlive, int maxStreams) {
        this.rollouts = rollouts;
        this.fleet = fleet;
        this.tokens = tokens;
        this.events = new EventStream(rollouts, keepAlive, maxStreams);
    }

    /** The configured server, not started. */
    public Javalin create(int threads) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.disableCompression();
            config.http.maxRequestSize = PlanBody.LIMIT;
            QueuedThreadPool pool = new QueuedThreadPool(threads, 8, 60_000);
            pool.setName("baton-http");
            config.jetty.threadPool = pool;
            if (HttpApi.class.getResource("/web-ui/index.html") != null) {
                config.staticFiles.add(files -> {
                    files.hostedPath = "/";
                    files.directory = "/web-ui";
                    files.location = Location.CLASSPATH;
                });
            } else {
                LOG.warn("the dashboard is not packaged (no /web-ui on the classpath): only the API is served");
            }
        });
        app.before(BASE + "/*", this::authenticate);
        app.get(BASE + "/openapi.json", this::openApi);
        app.get(BASE + "/vocabulary", ctx -> json(ctx, 200, ApiViews.vocabulary()));
        app.get(BASE + "/me", ctx -> json(ctx, 200, new ApiViews.Me(role(ctx).label())));
        app.get(BASE + "/rollouts", ctx -> json(ctx, 200,
                new ApiViews.Rollouts(rollouts.list().stream().map(ApiViews::summary).toList())));
        app.post(BASE + "/rollouts", this::start);
        app.get(BASE + "/rollouts/{id}", ctx -> json(ctx, 200, ApiViews.rollout(rollouts.get(ctx.pathParam("id")))));
        app.get(BASE + "/rollouts/{id}/events", events::handle);
        app.post(BASE + "/rollouts/{id}/{action}", this::command);
        app.get(BASE + "/fleet", ctx -> json(ctx, 200, Map.of("services", fleet.read())));

        app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
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
        Role role = tokens.authenticate(ctx.header("Authorization")).orElseThrow(() -> new ApiError(401,
                ctx.header("Authorization") == null ? "no token: send Authorization: Bearer <token>" : "unknown token"));
        Role needed = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD ? Role.VIEWER : Role.DEPLOYER;
        if (!role.allows(needed)) {
            throw new ApiError(403, "the " + role.label() + " role may not do this (it needs " + needed.label() + ")");
        }
        ctx.attribute(ROLE, role);
        if (ctx.req().getContentLengthLong() > PlanBody.LIMIT) throw PlanBody.tooLarge(ctx);
    }

    private static Role role(Context ctx) {
        return ctx.attribute(ROLE);
    }

    private void start(Context ctx) throws JsonProcessingException {
        String plan = PlanBody.read(ctx);
        RolloutDetails started = rollouts.start(plan);
        ctx.header("Location", BASE + "/rollouts/" + started.rollout().id());
        json(ctx, 201, ApiViews.rollout(started));
    }

    private void command(Context ctx) throws JsonProcessingException {
        String action = ctx.pathParam("action").toLowerCase(Locale.ROOT);
        RolloutControl.Command command = ACTIONS.get(action);
        if (command == null) {
            throw new ApiError(404, "no such action: " + printable(action) + " (pause, resume, abort, rollback, promote)");
        }
        json(ctx, 202, ApiViews.rollout(rollouts.command(ctx.pathParam("id"), command)));
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

    private static void error(Context ctx, int status, String message) {
        String line = message == null ? "error" : message.lines().findFirst().orElse("error");
        try {
            json(ctx, status, Map.of("error", line));
        } catch (JsonProcessingException e) {
            ctx.status(500).result("{\"error\":\"internal error\"}");
        }
    }

    private static String printable(String text) {
        String cut = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
