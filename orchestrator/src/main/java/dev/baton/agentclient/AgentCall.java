package dev.baton.agentclient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.rollout.StepFailure;
import dev.baton.wire.BoundedBody;
import dev.baton.wire.Bounds;
import dev.baton.wire.Excerpt;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One request to an agent, bounded as a whole ({@code callTimeout}) and per read, its body capped, its status
 * the one expected: anything else is a one-line failure naming the agent and the request.
 */
final class AgentCall {
    /** Agent replies are small JSON objects (an operation with its phases, a hook's last output lines). */
    static final long MAX_BODY = 1024 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient http;

    /**
     * An idle pooled connection is dropped well before the agent closes it (the agent's idle timeout is 5 s): with
     * no retries (a restart must never be sent twice), reusing a connection the agent already closed would fail a
     * healthy host's step.
     */
    static final Duration KEEP_IDLE = Duration.ofSeconds(2);

    AgentCall(OkHttpClient http) {
        this.http = http.newBuilder().followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false)
                .connectionPool(new ConnectionPool(8, KEEP_IDLE.toMillis(), TimeUnit.MILLISECONDS)).build();
    }

    AgentReply execute(Request request, int expectedStatus, Duration limit) throws StepFailure {
        Duration bound = Bounds.finite(limit);
        OkHttpClient client = http.newBuilder().callTimeout(bound).readTimeout(bound).writeTimeout(bound)
                .connectTimeout(bound.compareTo(CONNECT_TIMEOUT) < 0 ? bound : CONNECT_TIMEOUT).build();
        String source = "agent at " + request.url().host() + ":" + request.url().port()
                + " (" + request.method() + " " + request.url().encodedPath() + ")";
        try (Response response = client.newCall(request).execute()) {
            String text = BoundedBody.read(response.body(), MAX_BODY);
            JsonNode json = parse(text, response.code() == expectedStatus, source);
            if (response.code() != expectedStatus) {
                String error = json != null && json.path("error").isTextual() ? json.path("error").asText() : text;
                throw new StepFailure(source + " answered " + response.code() + ": " + Excerpt.firstLine(error));
            }
            return AgentReply.of(json, source);
        } catch (IOException e) {
            throw new StepFailure(source + " is unreachable or too slow: " + e.getMessage(), e);
        }
    }

    /** The JSON of the body; null for an error reply that is not JSON. */
    private static JsonNode parse(String text, boolean required, String source) throws StepFailure {
        try {
            JsonNode json = text.isBlank() ? null : MAPPER.readTree(text);
            if (json == null && required) throw new StepFailure(source + " sent an empty reply");
            return json;
        } catch (JsonProcessingException e) {
            if (!required) return null;
            throw new StepFailure(source + " sent a malformed reply: " + Excerpt.quoted(e.getOriginalMessage()), e);
        }
    }
}
