package dev.baton.agent.http;

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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's HTTP API: authentication, routing, body limits and JSON error answers. */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** How much of an over-sized body is read and dropped, so the client sees the 413 rather than a reset. */
    private static final int MAX_DISCARD_BYTES = 1024 * 1024;
    private static final Duration BODY_DEADLINE = Duration.ofSeconds(10);
    private static final String OPERATIONS = "/v1/operations/";
    /**
     * Traffic watches, hooks and prefetches block for up to their timeouts; bounding each keeps most handler threads
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
    private ApiServer server;

    /** {@code hooks} is null when this agent's configuration does not allow hooks: they are then refused with 403. */
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
        start(address, null);
    }

    /** Like {@link #start(InetSocketAddress)}, over mutual TLS when {@code tls} is not null. */
    public void start(InetSocketAddress address, javax.net.ssl.SSLContext tls) throws IOException {
        server = new ApiServer(address, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
                HttpApi.this.handle(new Exchange(request), response, callback);
                return true;
            }
        }, tls);
        server.start();
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    private void handle(Exchange exchange, org.eclipse.jetty.server.Response out, Callback callback) {
        Answer answer;
        try {
            auth.check(exchange.header(HttpHeader.AUTHORIZATION));
            answer = route(exchange);
        } catch (ApiException e) {
            answer = Answer.error(e.status(), e.getMessage(), e.headers());
        } catch (InvalidRequestException e) {
            answer = Answer.error(400, e.getMessage(), Map.of());
        } catch (OperationConflictException e) {
            answer = Answer.error(409, e.getMessage(), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = Answer.error(503, "the agent is shutting down", Map.of());
        } catch (IOException e) {
            LOG.debug("could not read {} {}: {}", exchange.method(), exchange.path(), e.toString());
            answer = Answer.error(400, "could not read the request body", Map.of());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", exchange.method(), ApiException.printable(exchange.path()), e);
            answer = Answer.error(500, "internal error", Map.of());
        }
        send(out, answer, callback);
    }

    /** The parts of a Jetty request the API reads. */
    private record Exchange(Request request) {
        String method() {
            return request.getMethod();
        }

        String path() {
            return request.getHttpURI().getPath();
        }

        String rawQuery() {
            return request.getHttpURI().getQuery();
        }

        String header(HttpHeader name) {
            return request.getHeaders().get(name);
        }

        InputStream body() {
            return Content.Source.asInputStream(request);
        }
    }

    private Answer route(Exchange exchange) throws ApiException, IOException, InterruptedException {
        String method = exchange.method();
        String path = exchange.path();
        switch (path) {
            case "/v1/status" -> {
                allow(method, "GET");
                return Answer.ok(200, status.status());
            }
            case "/v1/releases" -> {
                allow(method, "GET", "POST");
                if (method.equals("POST")) {
                    return Answer.ok(200, prefetch(json.read(readBody(exchange), PrefetchRequest.class)));
                }
                return Answer.ok(200, status.releases());
            }
            case "/v1/restarts" -> {
                allow(method, "POST");
                RestartRequest request = json.read(readBody(exchange), RestartRequest.class);
                OperationView operation = restarts.submit(request);
                return new Answer(202, operation, Map.of("Location", OPERATIONS + operation.id()));
            }
            case "/v1/hooks" -> {
                allow(method, "POST");
                return Answer.ok(200, runHook(HookPlan.validate(json.read(readBody(exchange), HookRequest.class))));
            }
            case "/v1/traffic/quiet" -> {
                allow(method, "GET");
                return Answer.ok(200, awaitQuiet(QuietQuery.parse(exchange.rawQuery())));
            }
            default -> {
                if (path.startsWith(OPERATIONS) && path.length() > OPERATIONS.length()
                        && path.indexOf('/', OPERATIONS.length()) < 0) {
                    allow(method, "GET");
                    String id = path.substring(OPERATIONS.length());
                    return restarts.find(id)
                            .map(operation -> Answer.ok(200, operation))
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
        if (hooks == null) {
            throw new ApiException(403, "host hooks are disabled on this agent (start it with --allow-hooks)");
        }
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

    /**
     * Reads at most {@link #MAX_BODY_BYTES}, within {@link #BODY_DEADLINE} in all: each read is bounded by the idle
     * timeout, and the deadline bounds a client that keeps sending a byte now and then.
     */
    private static byte[] readBody(Exchange exchange) throws IOException, ApiException {
        InputStream in = exchange.body();
        long deadline = System.nanoTime() + BODY_DEADLINE.toNanos();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) != -1; ) {
            body.write(buffer, 0, n);
            if (body.size() > MAX_BODY_BYTES) {
                discard(in, deadline);
                throw new ApiException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ApiException(408, "request body not received within " + BODY_DEADLINE.toSeconds() + "s");
            }
        }
        return body.toByteArray();
    }

    /** Drops a bounded part of an over-sized body, so the client sees the 413 rather than a reset. */
    private static void discard(InputStream in, long deadline) throws IOException {
        byte[] buffer = new byte[8192];
        long dropped = 0;
        for (int n; dropped < MAX_DISCARD_BYTES && System.nanoTime() - deadline < 0 && (n = in.read(buffer)) != -1; ) {
            dropped += n;
        }
    }

    private void send(org.eclipse.jetty.server.Response out, Answer answer, Callback callback) {
        byte[] bytes;
        int status = answer.status();
        try {
            bytes = json.write(answer.body());
        } catch (IOException e) {
            LOG.error("cannot encode an answer", e);
            bytes = "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
            status = 500;
        }
        out.setStatus(status);
        answer.headers().forEach((name, value) -> out.getHeaders().put(name, value));
        out.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        out.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private record Answer(int status, Object body, Map<String, String> headers) {
        static Answer ok(int status, Object body) {
            return new Answer(status, body, Map.of());
        }

        static Answer error(int status, String message, Map<String, String> headers) {
            return new Answer(status, Map.of("error", message), headers);
        }
    }
}
