package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A small client for the agent API in tests; the token may be null (no header) or wrong on purpose. */
final class ApiClient {

    record Answer(int status, JsonNode body, Optional<String> location) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    ApiClient withToken(String otherToken) {
        return new ApiClient(base, otherToken);
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    Answer post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    Answer send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        return new Answer(response.statusCode(), json, response.headers().firstValue("Location"));
    }

    static String prefetchBody(String version, String url, String sha256) {
        var body = JSON.createObjectNode().put("version", version);
        body.putObject("artifact").put("url", url).put("sha256", sha256);
        return body.toString();
    }

    static String restartBody(String version, String url, String sha256, String strategy) {
        var body = JSON.createObjectNode().put("version", version).put("strategy", strategy);
        if (url != null) {
            body.putObject("artifact").put("url", url).put("sha256", sha256);
        }
        return body.toString();
    }
}
