package dev.baton.store;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Consul's KV store, transactions and sessions over HTTP. Unlike {@code ConsulClient} (one call shape for the
 * registry) it needs the answer of every write (acquire and CAS say true or false, a session has an id) and
 * tells a missing key from an error. The ACL token travels in a header and never in a message.
 */
public final class ConsulKv {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final MediaType BYTES = MediaType.get("application/octet-stream");
    private static final Duration CALL = Duration.ofSeconds(10);

    /** One key; {@code session} is the holder of a lock on it, or null. */
    public record Entry(String key, byte[] value, long modifyIndex, String session) {
        public String text() {
            return value == null ? "" : new String(value, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Entries under a prefix, and the index for the next blocking query. */
    public record Listing(List<Entry> entries, long index) {
    }

    private final OkHttpClient http;
    private final HttpUrl base;
    private final String token;

    public ConsulKv(OkHttpClient http, HttpUrl base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    public Optional<Entry> get(String key) {
        Answer answer = call(request(kv(key).build()).get(), CALL);
        if (answer.code == 404) return Optional.empty();
        List<Entry> entries = entries(answer.body);
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
    }

    /** Every key under {@code prefix}; with {@code index} > 0, waits up to {@code wait} for a change first. */
    public Listing list(String prefix, long index, Duration wait) {
        HttpUrl.Builder url = kv(prefix).addQueryParameter("recurse", "true");
        Duration timeout = CALL;
        if (index > 0) {
            url.addQueryParameter("index", Long.toString(index)).addQueryParameter("wait", wait.toMillis() + "ms");
            timeout = wait.plus(CALL);
        }
        Answer answer = call(request(url.build()).get(), timeout);
        if (answer.code == 404) return new Listing(List.of(), answer.index);
        return new Listing(entries(answer.body), answer.index);
    }

    /**
     * One key as a blocking query: with {@code index} > 0, Consul answers when the key changes (its value or its lock
     * holder) or after {@code wait}. The listing holds the key (none when it does not exist) and the next index.
     */
    public Listing watch(String key, long index, Duration wait) {
        HttpUrl.Builder url = kv(key);
        Duration timeout = CALL;
        if (index > 0) {
            url.addQueryParameter("index", Long.toString(index)).addQueryParameter("wait", wait.toMillis() + "ms");
            timeout = wait.plus(CALL);
        }
        Answer answer = call(request(url.build()).get(), timeout);
        if (answer.code == 404) return new Listing(List.of(), answer.index);
        return new Listing(entries(answer.body), answer.index);
    }

    public List<Entry> list(String prefix) {
        return list(prefix, 0, Duration.ZERO).entries();
    }

    /** The keys directly under {@code prefix}, sub-folders once each (ending in {@code /}). */
    public List<String> keys(String prefix) {
        Answer answer = call(request(kv(prefix).addQueryParameter("keys", "true")
                .addQueryParameter("separator", "/").build()).get(), CALL);
        if (answer.code == 404) return List.of();
        List<String> keys = new ArrayList<>();
        answer.json().forEach(k -> keys.add(k.asText()));
        return keys;
    }

    public void put(String key, byte[] value) {
        if (!answerTrue(call(request(kv(key).build()).put(RequestBody.create(value, BYTES)), CALL))) {
            throw new StoreException("Consul refused to write " + key);
        }
    }

    public void delete(String key) {
        Answer answer = call(request(kv(key).build()).delete(), CALL);
        if (answer.code != 200) throw failure("DELETE " + key, answer);
    }

    /** Writes only if the key is still at {@code index} (0: only if it does not exist). */
    public boolean compareAndSet(String key, byte[] value, long index) {
        return answerTrue(call(request(kv(key).addQueryParameter("cas", Long.toString(index)).build())
                .put(RequestBody.create(value, BYTES)), CALL));
    }

    /** Sets every key in one atomic transaction. */
    public void transaction(Map<String, byte[]> sets) {
        List<Map<String, Object>> ops = new ArrayList<>();
        Base64.Encoder b64 = Base64.getEncoder();
        sets.forEach((key, value) -> ops.add(Map.of("KV", Map.of("Verb", "set", "Key", key, "Value", b64.encodeToString(value)))));
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(ops);
        } catch (IOException e) {
            throw new StoreException("cannot encode a Consul transaction: " + e.getMessage(), e);
        }
        Answer answer = call(request(base.newBuilder().addPathSegments("v1/txn").build()).put(RequestBody.create(body, JSON)), CALL);
        if (answer.code != 200) throw failure("PUT /v1/txn", answer);
    }

    /**
     * A session with a TTL and a lock delay, bound to the agent's node ({@code serfHealth}) and to {@code serviceChecks}
     * (check IDs on that node, e.g. the server's own liveness check): Consul invalidates it as soon as one of them goes
     * critical, without waiting for the TTL.
     */
    public String createSession(String name, Duration ttl, Duration lockDelay, List<String> serviceChecks) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("Name", name);
        spec.put("TTL", ttl.toSeconds() + "s");
        spec.put("LockDelay", lockDelay.toMillis() + "ms");
        spec.put("Behavior", "release");
        spec.put("NodeChecks", List.of("serfHealth"));
        spec.put("ServiceChecks", serviceChecks.stream().map(id -> Map.of("ID", id)).toList());
        try {
            Answer answer = call(request(base.newBuilder().addPathSegments("v1/session/create").build())
                    .put(RequestBody.create(Json.MAPPER.writeValueAsBytes(spec), JSON)), CALL);
            if (answer.code != 200) throw failure("PUT /v1/session/create", answer);
            return answer.json().path("ID").asText();
        } catch (IOException e) {
            throw new StoreException("cannot encode a Consul session: " + e.getMessage(), e);
        }
    }

    /** Registers a service with its checks on the agent ({@code spec} in the agent API's shape). */
    public void registerService(Map<String, Object> spec) {
        try {
            Answer answer = call(request(base.newBuilder().addPathSegments("v1/agent/service/register").build())
                    .put(RequestBody.create(Json.MAPPER.writeValueAsBytes(spec), JSON)), CALL);
            if (answer.code != 200) throw failure("PUT /v1/agent/service/register", answer);
        } catch (IOException e) {
            throw new StoreException("cannot encode a Consul service: " + e.getMessage(), e);
        }
    }

    public void deregisterService(String id) {
        Answer answer = call(request(base.newBuilder().addPathSegments("v1/agent/service/deregister").addPathSegment(id).build())
                .put(RequestBody.create(new byte[0], JSON)), CALL);
        if (answer.code != 200 && answer.code != 404) throw failure("PUT /v1/agent/service/deregister", answer);
    }

    /** False when Consul no longer knows the session (it expired or was destroyed). */
    public boolean renewSession(String session) {
        Answer answer = call(request(base.newBuilder().addPathSegments("v1/session/renew").addPathSegment(session).build())
                .put(RequestBody.create(new byte[0], JSON)), CALL);
        if (answer.code == 404) return false;
        if (answer.code != 200) throw failure("PUT /v1/session/renew", answer);
        return answer.json().isArray() && answer.json().size() > 0;
    }

    public void destroySession(String session) {
        call(request(base.newBuilder().addPathSegments("v1/session/destroy").addPathSegment(session).build())
                .put(RequestBody.create(new byte[0], JSON)), CALL);
    }

    /** Takes the lock on {@code key} for the session (or updates its value when the session holds it already). */
    public boolean acquire(String key, byte[] value, String session) {
        return answerTrue(call(request(kv(key).addQueryParameter("acquire", session).build())
                .put(RequestBody.create(value, BYTES)), CALL));
    }

    public void release(String key, String session) {
        call(request(kv(key).addQueryParameter("release", session).build()).put(RequestBody.create(new byte[0], BYTES)), CALL);
    }

    private HttpUrl.Builder kv(String key) {
        HttpUrl.Builder url = base.newBuilder().addPathSegments("v1/kv");
        for (String segment : key.split("/", -1)) url.addPathSegment(segment);
        return url;
    }

    private Request.Builder request(HttpUrl url) {
        Request.Builder builder = new Request.Builder().url(url);
        if (token != null && !token.isBlank()) builder.header("X-Consul-Token", token);
        return builder;
    }

    private record Answer(int code, String body, long index, String what) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new StoreException("Consul answered " + what + " with something that is not JSON");
            }
        }
    }

    private Answer call(Request.Builder builder, Duration timeout) {
        Request request = builder.build();
        if (request.method().equals("GET")) return send(request, timeout);
        // A write records what happened (an event, a host's move, the end): a thread being stopped still makes it,
        // bounded by its timeout, instead of failing at once on its interrupt.
        boolean interrupted = Thread.interrupted();
        try {
            return send(request, timeout);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private Answer send(Request request, Duration timeout) {
        String what = request.method() + " " + request.url().encodedPath();
        OkHttpClient client = http.newBuilder().callTimeout(timeout.plusSeconds(2)).readTimeout(timeout.plusSeconds(2)).build();
        try (Response response = client.newCall(request).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            Answer answer = new Answer(response.code(), text, parseIndex(response.header("X-Consul-Index")), what);
            if (response.code() != 404 && !response.isSuccessful() && !what.endsWith("/v1/txn")) throw failure(what, answer);
            return answer;
        } catch (IOException e) {
            throw new StoreException("Consul at " + base.host() + ":" + base.port() + " is unreachable (" + what + "): "
                    + e.getMessage(), e);
        }
    }

    private StoreException failure(String what, Answer answer) {
        String line = answer.body.lines().findFirst().orElse("").trim();
        if (line.length() > 200) line = line.substring(0, 200) + "...";
        return new StoreException("Consul at " + base.host() + ":" + base.port() + " answered " + answer.code
                + " to " + what + ": " + line);
    }

    private static boolean answerTrue(Answer answer) {
        return answer.code == 200 && answer.body.strip().equals("true");
    }

    private static List<Entry> entries(String body) {
        List<Entry> out = new ArrayList<>();
        JsonNode array;
        try {
            array = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new StoreException("Consul answered a KV read with something that is not JSON");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        for (JsonNode e : array) {
            JsonNode value = e.path("Value");
            out.add(new Entry(e.path("Key").asText(), value.isNull() || value.isMissingNode() ? null : b64.decode(value.asText()),
                    e.path("ModifyIndex").asLong(), e.hasNonNull("Session") ? e.path("Session").asText() : null));
        }
        return out;
    }

    private static long parseIndex(String header) {
        try {
            return header == null ? 0 : Long.parseLong(header);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
