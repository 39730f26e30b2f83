package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agentclient.AgentCredentials;
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

    /** Only over mutual TLS, or to a loopback address: the token never travels in clear text to a host. */
    public Optional<String> current(AgentCredentials agents, String scheme, String address, int port) {
        if (address == null || agents.token() == null) return Optional.empty();
        HttpUrl url;
        try {
            url = new HttpUrl.Builder().scheme(agents.scheme(scheme)).host(address).port(port).addPathSegments("v1/status").build();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!agents.mayCarryToken(url)) return Optional.empty();
        Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + agents.token()).get().build();
        try (Response response = agents.client(http).newCall(request).execute()) {
            if (!response.isSuccessful() || response.body() == null) return Optional.empty();
            JsonNode status = Json.MAPPER.readTree(response.body().string());
            return Optional.ofNullable(status.path("current").asText(null));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
