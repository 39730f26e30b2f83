package dev.baton.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.agent.hook.HookPlan;
import dev.baton.agent.hook.HookRequest;
import dev.baton.agent.hook.HookResult;
import dev.baton.agent.hook.HookRunner;
import dev.baton.agent.release.ArtifactException;
import dev.baton.agent.restart.InvalidRequestException;
import dev.baton.agent.restart.OperationConflictException;
import dev.baton.agent.restart.OperationView;
import dev.baton.agent.restart.PrefetchRequest;
import dev.baton.agent.restart.PrefetchService;
import dev.baton.agent.restart.RestartRequest;
import dev.baton.agent.restart.RestartService;
import dev.baton.agent.traffic.TrafficWatch;
import dev.baton.agent.traffic.TrafficWatchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's HTTP API: authentication, routing, body limits and JSON error answers. */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** How much of an over-sized body is read and dropped, so the client sees the 413 rather than a reset. */
    private static final int MAX_DISCARD_BYTES = 1024 * 1024;
    private static final String OPERATIONS = "/v1/operations/";
    private static final int HANDLER_THREADS = 16;
    /**
     * Traffic watches, hooks and prefetches block for up to their timeouts; bounding each keeps some handler threads
     * free for the rest of the API.
     */
    static final int MAX_TRAFFIC_WATCHES = 4;
    static final int MAX_HOOKS = 4;
    static final int MAX_PREFETCHES = 2;

    private final BearerAuth auth;
    private final RestartService restarts;
    private final StatusReporter status;
    private final TrafficWatch traffic;
    private final PrefetchService prefetches;
    private final HookRunner hooks;
    private final Semaphore trafficWatches = new Semaphore(MAX_TRAFFIC_WATCHES);
    private final Semaphore runningHooks = new Semaphore(MAX_HOOKS);
    private final Semaphore runningPrefetches = new Semaphore(MAX_PREFETCHES);
    private final JsonCodec json = new JsonCodec();
    private HttpServer server;
    private ExecutorService handlers;

    public HttpApi(BearerAuth auth, RestartService restarts, StatusReporter status, TrafficWatch traffic,
                   PrefetchService prefetches, HookRunner hooks) {
        this.auth = auth;
        this.restarts = restarts;
        this.status = status;
        this.traffic = traffic;
        this.prefetches = prefetches;
        this.hooks = hooks;
    }

    /** Binds and serves; a {@link java.net.BindException} means the address is taken. */
    public void start(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 64);
        handlers = Executors.newFixedThreadPool(HANDLER_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "baton-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            handlers.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) {
        try {
            Response response;
            try {
                auth.check(exchange.getRequestHeaders().getFirst("Authorization"));
                response = route(exchange);
            } catch (ApiException e) {
                response = Response.error(e.status(), e.getMessage(), e.headers());
            } catch (InvalidRequestException e) {
                response = Response.error(400, e.getMessage(), Map.of());
            } catch (OperationConflictException e) {
                response = Response.error(409, e.getMessage(), Map.of());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response = Response.error(503, "the agent is shutting down", Map.of());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
                response = Response.error(500, "internal error", Map.of());
            }
            send(exchange, response);
        } catch (IOException e) {
            LOG.debug("could not answer {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        } finally {
            exchange.close();
        }
    }

    private Response route(HttpExchange exchange) throws ApiException, IOException, InterruptedException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        switch (path) {
            case "/v1/status" -> {
                allow(method, "GET");
                return Response.ok(200, status.status());
            }
            case "/v1/releases" -> {
                allow(method, "GET", "POST");
                if (method.equals("POST")) {
                    return Response.ok(200, prefetch(json.read(readBody(exchange), PrefetchRequest.class)));
                }
                return Response.ok(200, status.releases());
            }
            case "/v1/restarts" -> {
                allow(method, "POST");
                RestartRequest request = json.read(readBody(exchange), RestartRequest.class);
                OperationView operation = restarts.submit(request);
                return new Response(202, operation, Map.of("Location", OPERATIONS + operation.id()));
            }
            case "/v1/hooks" -> {
                allow(method, "POST");
                return Response.ok(200, runHook(HookPlan.validate(json.read(readBody(exchange), HookRequest.class))));
            }
            case "/v1/traffic/quiet" -> {
                allow(method, "GET");
                return Response.ok(200, awaitQuiet(QuietQuery.parse(exchange.getRequestURI().getRawQuery())));
            }
            default -> {
                if (path.startsWith(OPERATIONS) && path.length() > OPERATIONS.length()
                        && path.indexOf('/', OPERATIONS.length()) < 0) {
                    allow(method, "GET");
                    String id = path.substring(OPERATIONS.length());
                    return restarts.find(id)
                            .map(operation -> Response.ok(200, operation))
                            .orElseThrow(() -> new ApiException(404, "no operation " + ApiException.printable(id)));
                }
                throw new ApiException(404, "no such endpoint: " + ApiException.printable(path));
            }
        }
    }

    private TrafficWatch.Result awaitQuiet(QuietQuery query) throws ApiException, InterruptedException {
        if (!trafficWatches.tryAcquire()) {
            throw new ApiException(429, "already " + MAX_TRAFFIC_WATCHES + " traffic watches running; retry later");
        }
        try {
            return traffic.awaitQuiet(query.quiet(), query.timeout(), query.ignored());
        } catch (TrafficWatchException e) {
            LOG.warn("traffic watch failed: {}", e.getMessage());
            throw new ApiException(500, e.getMessage());
        } finally {
            trafficWatches.release();
        }
    }

    private PrefetchService.Result prefetch(PrefetchRequest request) throws ApiException, InterruptedException {
        if (!runningPrefetches.tryAcquire()) {
            throw new ApiException(429, "already " + MAX_PREFETCHES + " prefetches running; retry later");
        }
        try {
            return prefetches.prefetch(request);
        } catch (ArtifactException e) {
            throw new ApiException(e.kind() == ArtifactException.Kind.CHECKSUM ? 422 : 502, e.getMessage());
        } catch (IOException e) {
            throw new ApiException(500, e.getMessage());
        } finally {
            runningPrefetches.release();
        }
    }

    private HookResult runHook(HookPlan plan) throws ApiException, InterruptedException {
        if (!runningHooks.tryAcquire()) {
            throw new ApiException(429, "already " + MAX_HOOKS + " hooks running; retry later");
        }
        try {
            return hooks.run(plan);
        } catch (IOException e) {
            LOG.warn("hook {} failed to start: {}", plan.name(), e.getMessage());
            throw new ApiException(500, e.getMessage());
        } finally {
            runningHooks.release();
        }
    }

    private static void allow(String method, String... allowed) throws ApiException {
        if (!List.of(allowed).contains(method)) {
            throw new ApiException(405, "method " + ApiException.printable(method) + " not allowed; use "
                    + String.join(" or ", allowed), Map.of("Allow", String.join(", ", allowed)));
        }
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException, ApiException {
        InputStream in = exchange.getRequestBody();
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            in.readNBytes(MAX_DISCARD_BYTES);
            throw new ApiException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        return body;
    }

    private void send(HttpExchange exchange, Response response) throws IOException {
        byte[] bytes = json.write(response.body());
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private record Response(int status, Object body, Map<String, String> headers) {
        static Response ok(int status, Object body) {
            return new Response(status, body, Map.of());
        }

        static Response error(int status, String message, Map<String, String> headers) {
            return new Response(status, Map.of("error", message), headers);
        }
    }
}
