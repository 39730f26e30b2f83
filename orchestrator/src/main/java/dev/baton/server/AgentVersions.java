package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.Json;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** Asks a host's agent which release is current; gives up quickly (the answer is a nicety, never needed). */
public final class AgentVersions {
    private final OkHttpClient http;

    public AgentVersions(OkHttpClient http, Duration timeout) {
        this.http = http.newBuilder().callTimeout(timeout).connectTimeout(timeout).readTimeout(timeout).build();
    }

    public Optional<String> current(String scheme, String address, int port, String token) {
        if (address == null || token == null || token.isBlank()) return Optional.empty();
        HttpUrl url = new HttpUrl.Builder().scheme(scheme).host(address).port(port).addPathSegments("v1/status").build();
        Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + token).get().build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful() || response.body() == null) return Optional.empty();
            JsonNode status = Json.MAPPER.readTree(response.body().string());
            return Optional.ofNullable(status.path("current").asText(null));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
