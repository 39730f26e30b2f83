package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.rollout.StepFailure;
import dev.baton.wire.BoundedBody;
import dev.baton.wire.Bounds;
import dev.baton.wire.Excerpt;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Consul's HTTP API, one agent at a time: JSON in and out, the ACL token (if any) in a header
 * and never in a message, blocking-query index on every answer. Paths are lists of segments, each
 * checked by {@link ConsulNames} and percent-encoded; every call has a whole-call deadline and a body cap.
 */
public final class ConsulClient {
    /** Big enough for the health of thousands of instances; a larger answer is refused, not truncated. */
    public static final long MAX_BODY = 32L * 1024 * 1024;
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient http;
    private final String token;

    public ConsulClient(OkHttpClient http, String token) {
        // Consul never redirects its API; following one would send the token and the request somewhere else
        this.http = http.newBuilder().followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false).build();
        this.token = token;
    }

    /** An answer and its {@code X-Consul-Index}, for the next blocking query. */
    public record Answer(JsonNode body, long index) {
    }

    /** GETs {@code segments} (each one encoded as one path segment); {@code timeout} bounds the whole call. */
    public Answer get(HttpUrl base, List<String> segments, UnaryOperator<HttpUrl.Builder> query, Duration timeout) throws StepFailure {
        return call(request(url(base, segments, query)).get().build(), timeout);
    }

    /** PUTs {@code body} as JSON (nothing when null) to {@code segments}. */
    public void put(HttpUrl base, List<String> segments, UnaryOperator<HttpUrl.Builder> query, Object body) throws StepFailure {
        RequestBody payload;
        try {
            payload = RequestBody.create(body == null ? new byte[0] : MAPPER.writeValueAsBytes(body), JSON);
        } catch (IOException e) {
            throw new StepFailure("cannot encode request to Consul: " + e.getMessage(), e);
        }
        call(request(url(base, segments, query)).put(payload).build(), WRITE_TIMEOUT);
    }

    /** As {@link #get(HttpUrl, List, UnaryOperator, Duration)} with a {@code /}-separated path; every part must be a safe name. */
    public Answer get(HttpUrl base, String path, UnaryOperator<HttpUrl.Builder> query, Duration timeout) throws StepFailure {
        return get(base, Arrays.asList(path.split("/", -1)), query, timeout);
    }

    /** As {@link #put(HttpUrl, List, UnaryOperator, Object)} with a {@code /}-separated path; every part must be a safe name. */
    public void put(HttpUrl base, String path, UnaryOperator<HttpUrl.Builder> query, Object body) throws StepFailure {
        put(base, Arrays.asList(path.split("/", -1)), query, body);
    }

    static HttpUrl url(HttpUrl base, List<String> segments, UnaryOperator<HttpUrl.Builder> query) throws StepFailure {
        HttpUrl.Builder url = base.newBuilder();
        for (String segment : segments) {
            // OkHttp would resolve "." and ".." even when given as one segment; ConsulNames refuses both
            url.addPathSegment(ConsulNames.require("path segment", segment));
        }
        return query.apply(url).build();
    }

    private Request.Builder request(HttpUrl url) {
        Request.Builder builder = new Request.Builder().url(url);
        if (token != null && !token.isBlank()) builder.header("X-Consul-Token", token);
        return builder;
    }

    private Answer call(Request request, Duration bound) throws StepFailure {
        Duration timeout = Bounds.finite(bound);
        OkHttpClient client = http.newBuilder().callTimeout(timeout).readTimeout(timeout).writeTimeout(timeout)
                .connectTimeout(timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT).build();
        String where = "Consul at " + request.url().host() + ":" + request.url().port();
        String what = request.method() + " " + request.url().encodedPath();
        try (Response response = client.newCall(request).execute()) {
            String text = BoundedBody.read(response.body(), MAX_BODY);
            if (response.code() != 200) {
                throw new StepFailure(where + " answered " + response.code() + " to " + what + ": " + Excerpt.firstLine(text));
            }
            long index = parseIndex(response.header("X-Consul-Index"));
            JsonNode body = text.isBlank() ? MAPPER.nullNode() : MAPPER.readTree(text);
            return new Answer(body, index);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StepFailure(where + " answered " + what + " with malformed JSON: " + Excerpt.quoted(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new StepFailure(where + " is unreachable (" + what + "): " + e.getMessage(), e);
        }
    }

    private static long parseIndex(String header) {
        try {
            return header == null ? 0 : Long.parseLong(header);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
