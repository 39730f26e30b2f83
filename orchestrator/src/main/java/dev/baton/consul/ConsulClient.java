package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.rollout.StepFailure;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Consul's HTTP API, one agent at a time: JSON in and out, the ACL token (if any) in a header
 * and never in a message, blocking-query index on every answer.
 */
public final class ConsulClient {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient http;
    private final String token;

    public ConsulClient(OkHttpClient http, String token) {
        this.http = http;
        this.token = token;
    }

    /** An answer and its {@code X-Consul-Index}, for the next blocking query. */
    public record Answer(JsonNode body, long index) {
    }

    public Answer get(HttpUrl base, String path, UnaryOperator<HttpUrl.Builder> query, Duration timeout) throws StepFailure {
        HttpUrl url = query.apply(base.newBuilder().addPathSegments(path)).build();
        return call(request(url).get().build(), timeout);
    }

    public void put(HttpUrl base, String path, UnaryOperator<HttpUrl.Builder> query, Object body) throws StepFailure {
        HttpUrl url = query.apply(base.newBuilder().addPathSegments(path)).build();
        RequestBody payload;
        try {
            payload = RequestBody.create(body == null ? new byte[0] : MAPPER.writeValueAsBytes(body), JSON);
        } catch (IOException e) {
            throw new StepFailure("cannot encode request to Consul: " + e.getMessage(), e);
        }
        call(request(url).put(payload).build(), Duration.ofSeconds(10));
    }

    private Request.Builder request(HttpUrl url) {
        Request.Builder builder = new Request.Builder().url(url);
        if (token != null && !token.isBlank()) builder.header("X-Consul-Token", token);
        return builder;
    }

    private Answer call(Request request, Duration timeout) throws StepFailure {
        OkHttpClient client = http.newBuilder().callTimeout(timeout.plusSeconds(5)).readTimeout(timeout.plusSeconds(5)).build();
        String what = request.method() + " " + request.url().encodedPath();
        try (Response response = client.newCall(request).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            if (!response.isSuccessful()) {
                throw new StepFailure("Consul at " + request.url().host() + ":" + request.url().port() + " answered "
                        + response.code() + " to " + what + ": " + firstLine(text));
            }
            long index = parseIndex(response.header("X-Consul-Index"));
            JsonNode body = text.isBlank() ? MAPPER.nullNode() : MAPPER.readTree(text);
            return new Answer(body, index);
        } catch (IOException e) {
            throw new StepFailure("Consul at " + request.url().host() + ":" + request.url().port()
                    + " is unreachable (" + what + "): " + e.getMessage(), e);
        }
    }

    private static long parseIndex(String header) {
        try {
            return header == null ? 0 : Long.parseLong(header);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
