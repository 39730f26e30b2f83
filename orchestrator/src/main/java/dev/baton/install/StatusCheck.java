package dev.baton.install;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agentclient.AgentCredentials;
import dev.baton.store.Json;
import dev.baton.wire.BoundedBody;
import dev.baton.wire.Excerpt;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;

/**
 * {@code GET /v1/status} on an installed agent, from this machine, as the Baton server will call it: over mutual TLS
 * when the agent has a certificate, with the token (which never travels in clear text beyond loopback).
 */
final class StatusCheck {
    /** What the agent answered: null {@code version} and a reason when it did not answer as an agent. */
    record Answer(String version, String problem) {
        boolean answered() {
            return problem == null;
        }
    }

    private static final Duration PER_TRY = Duration.ofSeconds(3);
    private final AgentCredentials credentials;
    private final OkHttpClient http;

    StatusCheck(AgentCredentials credentials) {
        this.credentials = credentials;
        this.http = credentials.client(new OkHttpClient.Builder().callTimeout(PER_TRY).connectTimeout(PER_TRY)
                .followRedirects(false).retryOnConnectionFailure(false).build());
    }

    HttpUrl url(String host, int port) {
        return new HttpUrl.Builder().scheme(credentials.tls() != null ? "https" : "http").host(host).port(port)
                .addPathSegments("v1/status").build();
    }

    /** Asks until the agent answers with {@code expected} or {@code within} is over; the last answer. */
    Answer await(String host, int port, String expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Answer last;
        do {
            last = ask(host, port);
            if (last.answered() && expected.equals(last.version())) return last;
            if (System.nanoTime() > deadline) return last;
            Thread.sleep(250);
        } while (true);
    }

    Answer ask(String host, int port) {
        HttpUrl url = url(host, port);
        if (!credentials.mayCarryToken(url)) {
            return new Answer(null, url + " is plain HTTP to a host that is not loopback: the token never travels in clear text (give the agent --tls-dir)");
        }
        Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + credentials.token()).get().build();
        try (Response response = http.newCall(request).execute()) {
            String body = BoundedBody.read(response.body(), 64 * 1024);
            if (response.code() != 200) {
                return new Answer(null, url + " answered " + response.code() + ": " + Excerpt.firstLine(body));
            }
            JsonNode status = Json.MAPPER.readTree(body);
            if (status == null || !status.isObject() || !status.has("releases")) {
                return new Answer(null, url + " answered 200 but not with an agent's status: " + Excerpt.firstLine(body));
            }
            return new Answer(status.path("agentVersion").asText("unknown"), null);
        } catch (IOException | RuntimeException e) {
            return new Answer(null, url + " does not answer: " + e.getMessage());
        }
    }
}
