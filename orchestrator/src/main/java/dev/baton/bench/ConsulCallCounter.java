package dev.baton.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A counting HTTP proxy between Baton and Consul: Baton is given its address as Consul's, and every request is
 * passed on unchanged and counted, outside Baton. Blocking queries (an {@code index} parameter) are counted apart
 * from the other calls, and KV writes ({@code PUT /v1/kv/...}, {@code PUT /v1/txn}) on their own as well.
 */
final class ConsulCallCounter implements AutoCloseable {
    private static final List<String> PASSED_HEADERS = List.of("X-Consul-Token", "Content-Type");
    private static final List<String> RETURNED_HEADERS = List.of("X-Consul-Index", "X-Consul-Knownleader",
            "X-Consul-Lastcontact", "Content-Type");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "consul-counter");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final String consul;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong blocking = new AtomicLong();
    private final AtomicLong kvWrites = new AtomicLong();
    private final Map<String, LongAdder> byPath = new ConcurrentHashMap<>();

    /** Listens on {@code ip} (a free port), passing every request on to {@code consul} ("http://host:port"). */
    ConsulCallCounter(String ip, String consul) throws IOException {
        // the JDK server closes a keep-alive connection idle for 30 s, which a client may be reusing at that moment
        // (Baton does not retry a Consul call: it would read as Consul failing); keep them as long as the run
        System.setProperty("sun.net.httpserver.idleInterval", "3600");
        System.setProperty("sun.net.httpserver.maxIdleConnections", "1000");
        this.consul = consul;
        server = HttpServer.create(new InetSocketAddress(ip, 0), 256);
        server.setExecutor(threads);
        server.createContext("/", this::pass);
        server.start();
    }

    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** The counts so far: calls (without blocking queries), blocking queries, KV writes. */
    record Counts(long calls, long blocking, long kvWrites) {
        Counts minus(Counts earlier) {
            return new Counts(calls - earlier.calls, blocking - earlier.blocking, kvWrites - earlier.kvWrites);
        }
    }

    Counts counts() {
        return new Counts(calls.get(), blocking.get(), kvWrites.get());
    }

    /** The most called paths (ids folded), for the report: "GET /v1/agent/checks=400, ...". */
    String topPaths(int n) {
        return byPath.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum())).limit(n)
                .map(e -> e.getKey() + "=" + e.getValue().sum()).reduce((a, b) -> a + ", " + b).orElse("none");
    }

    private void pass(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            count(method, uri.getRawPath(), query);
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(consul + uri.getRawPath() + (query.isEmpty() ? "" : "?" + query)))
                    .timeout(Duration.ofMinutes(2))
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : PASSED_HEADERS) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) request.header(header, value);
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            for (String header : RETURNED_HEADERS) {
                response.headers().firstValue(header).ifPresent(v -> exchange.getResponseHeaders().set(header, v));
            }
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    private void count(String method, String path, String query) {
        boolean isBlocking = method.equals("GET") && query.matches("(^|.*&)index=[1-9].*");
        if (isBlocking) blocking.incrementAndGet();
        else calls.incrementAndGet();
        if (method.equals("PUT") && (path.startsWith("/v1/kv/") || path.equals("/v1/txn"))) kvWrites.incrementAndGet();
        String folded = path.replaceAll("(/v1/(?:agent/service|agent/service/maintenance|agent/service/deregister|health/service|agent/check/deregister)/)[^/]+", "$1*")
                .replaceAll("(/v1/kv/baton/rollouts/)[^/]+/(\\w+).*", "$1*/$2");
        byPath.computeIfAbsent(method + " " + folded + (isBlocking ? " (blocking)" : ""), k -> new LongAdder()).increment();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
