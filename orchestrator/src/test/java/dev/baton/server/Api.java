package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.Json;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Test client of a Baton server's API. */
public final class Api {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();

    private final String base;

    public Api(String base) {
        this.base = base;
    }

    public record Answer(int status, String text, String location, String contentType) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text, e);
            }
        }

        public String error() {
            return json().path("error").asText();
        }
    }

    public Answer get(String path, String token) throws IOException {
        return call(request(path, token).get());
    }

    public Answer post(String path, String token, String body, String contentType) throws IOException {
        return call(request(path, token).post(RequestBody.create(body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                contentType == null ? null : MediaType.get(contentType))));
    }

    public Answer post(String path, String token, byte[] body, String contentType) throws IOException {
        return call(request(path, token).post(RequestBody.create(body, contentType == null ? null : MediaType.get(contentType))));
    }

    /** Starts a rollout and returns its id (asserting 201). */
    public String start(String plan, String token) throws IOException {
        Answer answer = post("/api/v1/rollouts", token, plan, "application/yaml");
        if (answer.status() != 201) throw new AssertionError("POST /rollouts: " + answer.status() + " " + answer.text());
        return answer.json().path("id").asText();
    }

    public JsonNode rollout(String id, String token) throws IOException {
        return get("/api/v1/rollouts/" + id, token).json();
    }

    private Request.Builder request(String path, String token) {
        Request.Builder builder = new Request.Builder().url(base + path);
        if (token != null) builder.header("Authorization", "Bearer " + token);
        return builder;
    }

    private static Answer call(Request.Builder request) throws IOException {
        try (Response response = HTTP.newCall(request.build()).execute()) {
            return new Answer(response.code(), response.body() == null ? "" : response.body().string(),
                    response.header("Location"), response.header("Content-Type"));
        }
    }

    /** One SSE message as received, with the moment it arrived. */
    public record Message(String id, String type, String data, Instant receivedAt) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Reads a rollout's event stream on a thread of its own until it ends. */
    public final class Watcher implements AutoCloseable {
        public final List<Message> messages = Collections.synchronizedList(new ArrayList<>());
        public final List<String> comments = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean ended;
        private volatile int status;
        private volatile okhttp3.Call call;

        Watcher(String id, String token, String lastEventId) {
            thread = new Thread(() -> read(id, token, lastEventId), "sse-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        private void read(String id, String token, String lastEventId) {
            OkHttpClient streaming = HTTP.newBuilder().callTimeout(Duration.ZERO).readTimeout(Duration.ofSeconds(60)).build();
            Request.Builder request = request("/api/v1/rollouts/" + id + "/events", token);
            if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
            call = streaming.newCall(request.build());
            try (Response r = call.execute()) {
                status = r.code();
                var source = r.body().source();
                String line;
                String type = "message";
                String eventId = null;
                StringBuilder data = new StringBuilder();
                while ((line = source.readUtf8Line()) != null) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) messages.add(new Message(eventId, type, data.toString(), Instant.now()));
                        type = "message";
                        eventId = null;
                        data.setLength(0);
                    } else if (line.startsWith(":")) {
                        comments.add(line);
                    } else if (line.startsWith("id: ")) {
                        eventId = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (IOException e) {
                // closed
            } finally {
                ended = true;
            }
        }

        public boolean ended() {
            return ended;
        }

        public int status() {
            return status;
        }

        public List<JsonNode> events() {
            synchronized (messages) {
                return messages.stream().filter(m -> m.type().equals("event")).map(Message::json).toList();
            }
        }

        public List<String> statuses() {
            synchronized (messages) {
                return messages.stream().filter(m -> m.type().equals("status")).map(m -> m.json().path("status").asText()).toList();
            }
        }

        public void await(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) throw new AssertionError("the event stream did not end within " + timeout);
        }

        @Override
        public void close() {
            okhttp3.Call c = call;
            if (c != null) c.cancel();
        }
    }

    public Watcher watch(String id, String token) {
        return new Watcher(id, token, null);
    }

    public Watcher watch(String id, String token, String lastEventId) {
        return new Watcher(id, token, lastEventId);
    }
}
