package dev.baton.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Instance;
import dev.baton.store.Json;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP front for the dashboard benchmark: one recorded rollout, replayed at real speed, answered in the
 * server's own formats ({@code GET /api/v1/rollouts/{id}} and its Server-Sent Events: {@code id:}, {@code event: event}
 * with a {@link LoggedEvent} as JSON, {@code event: status}), and every other request (the dashboard's files with the
 * server's security headers, {@code /me}, {@code /vocabulary}, the token check) passed to a real Baton server.
 *
 * <p>Why not the real server's stream: the server stores each event in one Consul transaction that rewrites the whole
 * rollout record before publishing it (issue 12, item 2); fed this recording through its own event sink (rollout ports
 * that replay it) it had not published the 12,078 events after 3 min 43 s (under 55 events/s), so the page would see a
 * trickle, not the 45 s stream. Once events are stored in batches, the real server can take this place.
 */
final class ReplayFront implements AutoCloseable {
    static final String ID = "r-20261129-0042";
    private static final Set<String> PASSED_HEADERS = Set.of("content-type", "content-security-policy", "x-content-type-options",
            "x-frame-options", "referrer-policy", "cache-control", "last-modified", "etag");

    private final RecordedRollout recording;
    private final URI backend;
    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "replay-front");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<LoggedEvent> history = new ArrayList<>();
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private Instant startedAt = Instant.now();
    private volatile boolean ended;
    private volatile boolean closing;
    private volatile Thread replaying;
    private long lastSeq;
    /** The engine's last word: ROLLOUT OK or FAILED with the summary. */
    private LoggedEvent last;
    private long maxLagMs;

    private ReplayFront(RecordedRollout recording, URI backend) throws IOException {
        this.recording = recording;
        this.backend = backend;
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        for (Instance i : recording.instances()) hosts.put(i.id(), new Host(i.id(), i.address()));
    }

    /** The rollout starts now (ROLLOUT STARTED, every host pending); the replay follows with {@link #play}. */
    synchronized void begin() {
        startedAt = Instant.now();
        publish(new Event(startedAt, null, dev.baton.rollout.Step.ROLLOUT, Event.Outcome.STARTED, null,
                RecordedRollout.SERVICE + " -> " + RecordedRollout.TO, null, null, Map.of()));
    }

    /** Listens on a free loopback port; everything but the replayed rollout goes to {@code backend}. */
    static ReplayFront start(RecordedRollout recording, String backend) throws IOException {
        ReplayFront front = new ReplayFront(recording, URI.create(backend));
        front.http.start();
        return front;
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** Plays the recording at real speed on its own thread; {@link #awaitDone} waits for its end. */
    void play() {
        Thread thread = new Thread(this::replay, "replay");
        thread.setDaemon(true);
        replaying = thread;
        thread.start();
    }

    void awaitDone(Duration timeout) throws InterruptedException {
        replaying.join(timeout.toMillis());
        if (replaying.isAlive()) throw new IllegalStateException("the replay did not finish in " + timeout);
    }

    /** How late the slowest event was published against the recording's clock. */
    synchronized long maxLagMs() {
        return maxLagMs;
    }

    private void replay() {
        Instant start = Instant.now();
        long origin = System.nanoTime();
        try {
            for (RecordedRollout.Timed timed : recording.events()) {
                long wait = origin + TimeUnit.MILLISECONDS.toNanos(timed.offsetMs()) - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                else synchronized (this) {
                    maxLagMs = Math.max(maxLagMs, TimeUnit.NANOSECONDS.toMillis(-wait));
                }
                Event e = timed.event();
                publish(new Event(start.plusMillis(timed.offsetMs()), e.host(), e.step(), e.outcome(), e.took(), e.detail(), e.version(),
                        e.state(), e.fields()));
            }
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void publish(Event event) {
        LoggedEvent logged = LoggedEvent.of(++lastSeq, event);
        history.add(logged);
        if (logged.host() != null) hosts.get(logged.host()).apply(logged);
        if (logged.step() == dev.baton.rollout.Step.ROLLOUT && logged.outcome() != Event.Outcome.STARTED) last = logged;
        notifyAll();
    }

    // ---- HTTP ------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String rollout = "/api/v1/rollouts/" + ID;
            if (path.equals(rollout) || path.equals(rollout + "/events")) {
                if (!authorized(exchange)) {
                    answer(exchange, 401, "application/json", "{\"error\":\"missing or unknown token\"}");
                } else if (path.endsWith("/events")) {
                    events(exchange);
                } else {
                    answer(exchange, 200, "application/json", Json.MAPPER.writeValueAsString(snapshot()));
                }
            } else if (path.equals("/api/v1/rollouts") && exchange.getRequestMethod().equals("GET")) {
                list(exchange);
            } else {
                pass(exchange);
            }
        } catch (IOException | RuntimeException gone) {
            // the page went away mid-answer
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    /** The real server's list, with the replayed rollout first (the newest). */
    private void list(HttpExchange exchange) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(backend.resolve("/api/v1/rollouts"))
                .header("Authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            answer(exchange, response.statusCode(), "application/json", response.body());
            return;
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(response.body());
        com.fasterxml.jackson.databind.node.ArrayNode rollouts = (com.fasterxml.jackson.databind.node.ArrayNode) body.path("rollouts");
        rollouts.insert(0, Json.MAPPER.valueToTree(summary()));
        answer(exchange, 200, "application/json", Json.MAPPER.writeValueAsString(body));
    }

    private synchronized Map<String, Object> summary() {
        Map<String, Object> full = snapshot();
        long done = hosts.values().stream().filter(h -> h.state == HostState.DONE).count();
        long failed = hosts.values().stream().filter(h -> h.state == HostState.RESTORED || h.state == HostState.PARKED).count();
        Map<String, Object> s = new LinkedHashMap<>();
        for (String key : List.of("id", "service", "version", "status", "startedAt", "endedAt", "durationMs")) s.put(key, full.get(key));
        s.put("hosts", Map.of("total", hosts.size(), "done", done, "failed", failed));
        return s;
    }

    /** The real server decides whether the token is good (and the dashboard signs in against it anyway). */
    private boolean authorized(HttpExchange exchange) throws IOException, InterruptedException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null) return false;
        HttpRequest me = HttpRequest.newBuilder(backend.resolve("/api/v1/me")).header("Authorization", auth).build();
        return client.send(me, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    private void pass(HttpExchange exchange) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(backend.resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
        for (String name : List.of("Authorization", "Accept", "Content-Type", "Last-Event-ID")) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) request.header(name, value);
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.headers().map().forEach((name, values) -> {
            if (PASSED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) exchange.getResponseHeaders().put(name, values);
        });
        byte[] body = response.body();
        exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) exchange.getResponseBody().write(body);
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** The SSE stream as the server writes it: past events after Last-Event-ID, the status, live events, the final status. */
    private void events(HttpExchange exchange) throws IOException, InterruptedException {
        String last = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        long after = last == null ? 0 : Long.parseLong(last.strip());
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream;charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        int next = (int) after;
        write(out, "event: status\ndata: {\"status\":\"RUNNING\"}\n\n");
        while (!closing) {
            List<LoggedEvent> batch;
            boolean over;
            synchronized (this) {
                if (next >= history.size() && !ended) wait(15_000);
                batch = List.copyOf(history.subList(next, history.size()));
                over = ended;
            }
            if (batch.isEmpty() && !over) {
                write(out, ": keep-alive\n\n");
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (LoggedEvent e : batch) {
                text.append("id: ").append(e.seq()).append("\nevent: event\ndata: ").append(Json.MAPPER.writeValueAsString(e)).append("\n\n");
            }
            next += batch.size();
            if (!text.isEmpty()) write(out, text.toString());
            if (over && next >= history.size()) {
                write(out, "event: status\ndata: {\"status\":\"" + finalStatus() + "\"}\n\n");
                return;
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The rollout as {@code GET /api/v1/rollouts/{id}} shows it (the server's ApiViews.Rollout). */
    private synchronized Map<String, Object> snapshot() {
        Instant now = Instant.now();
        Instant end = ended && last != null ? last.at() : null;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", ID);
        r.put("service", RecordedRollout.SERVICE);
        r.put("version", RecordedRollout.TO);
        r.put("status", ended ? finalStatus() : "RUNNING");
        r.put("startedAt", startedAt);
        r.put("endedAt", end);
        r.put("durationMs", Duration.between(startedAt, end == null ? now : end).toMillis());
        r.put("summary", ended && last != null ? last.detail() : null);
        r.put("hosts", hosts.values().stream().map(Host::record).toList());
        r.put("events", List.copyOf(history));
        r.put("actions", List.of());
        return r;
    }

    /** The status the engine's last ROLLOUT event gives. */
    private synchronized String finalStatus() {
        return last != null && last.outcome() == Event.Outcome.OK ? "SUCCEEDED" : "FAILED";
    }

    @Override
    public void close() {
        closing = true;
        if (replaying != null) replaying.interrupt();
        synchronized (this) {
            notifyAll();
        }
        http.stop(0);
        threads.shutdownNow();
    }

    /** One host as the server's view keeps it: its state from its events, its step runs. */
    private static final class Host {
        private final String id;
        private final String address;
        private final List<RolloutRecord.StepRun> runs = new ArrayList<>();
        private HostState state = HostState.PENDING;
        private dev.baton.rollout.Step step;
        private String version = RecordedRollout.FROM;
        private String target;

        Host(String id, String address) {
            this.id = id;
            this.address = address;
        }

        void apply(LoggedEvent e) {
            step = e.step();
            if (e.state() != null) state = e.state();
            if (e.step() == dev.baton.rollout.Step.PREPARE && e.outcome() == Event.Outcome.OK) state = HostState.PREPARED; // the journal's move
            if (e.version() != null) target = e.version();
            if (e.step() == dev.baton.rollout.Step.RESTART && e.outcome() == Event.Outcome.OK) version = e.version();
            if (e.outcome() == Event.Outcome.STARTED) {
                runs.add(new RolloutRecord.StepRun(e.step(), Event.Outcome.STARTED, e.at(), null, null));
                return;
            }
            for (int i = runs.size() - 1; i >= 0; i--) {
                if (runs.get(i).step() == e.step() && runs.get(i).outcome() == Event.Outcome.STARTED) {
                    runs.set(i, new RolloutRecord.StepRun(e.step(), e.outcome(), runs.get(i).startedAt(), e.tookMs(), e.detail()));
                    return;
                }
            }
            runs.add(new RolloutRecord.StepRun(e.step(), e.outcome(), e.at().minusMillis(e.tookMs() == null ? 0 : e.tookMs()), e.tookMs(), e.detail()));
        }

        RolloutRecord.Host record() {
            return new RolloutRecord.Host(id, address, state, step, version, target, List.copyOf(runs));
        }
    }
}
