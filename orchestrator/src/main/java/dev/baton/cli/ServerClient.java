package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.Json;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;

/**
 * The command line's side of the server API. The token comes from {@code $BATON_TOKEN} only (never an argument:
 * arguments show in process lists). Every refusal becomes one line ({@link BatonMain.UserError}, exit 2).
 */
final class ServerClient {
    static final String SERVER_ENV = "BATON_SERVER";
    static final String TOKEN_ENV = "BATON_TOKEN";
    /** A follower's pointer to the leader, on the 409 it answers a write with. */
    static final String LEADER_HEADER = "X-Baton-Leader";

    private HttpUrl base;
    private final String token;
    private final OkHttpClient http;

    ServerClient(HttpUrl base, String token) {
        this.base = base;
        this.token = token;
        this.http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(45))
                .callTimeout(Duration.ofSeconds(60)).build();
    }

    /** The server from the flag (else $BATON_SERVER), the token from $BATON_TOKEN. */
    static ServerClient connect(String serverFlag) {
        String raw = serverFlag != null ? serverFlag : System.getenv(SERVER_ENV);
        if (raw == null || raw.isBlank()) {
            throw new BatonMain.UserError("no server: give --server URL or set " + SERVER_ENV);
        }
        HttpUrl url = HttpUrl.parse(raw.contains("://") ? raw : "http://" + raw);
        if (url == null) throw new BatonMain.UserError("not a server address: " + raw);
        String token = System.getenv(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new BatonMain.UserError("environment variable " + TOKEN_ENV + " is not set: it holds your Baton API token");
        }
        return new ServerClient(url, token.strip());
    }

    String address() {
        String text = base.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    /** An answer that is not an error. */
    record Answer(int status, JsonNode body) {
    }

    Answer get(String path) {
        return call(request(path).get().build());
    }

    Answer post(String path, byte[] body, String contentType) {
        return call(request(path).post(RequestBody.create(body, contentType == null ? null : MediaType.get(contentType))).build());
    }

    Answer delete(String path) {
        return call(request(path).delete().build());
    }

    /** Opens the event stream after {@code afterSeq}; the caller reads and closes it. */
    Response stream(String path, long afterSeq) throws IOException {
        Request.Builder request = request(path).header("Accept", "text/event-stream");
        if (afterSeq > 0) request.header("Last-Event-ID", Long.toString(afterSeq));
        OkHttpClient streaming = http.newBuilder().callTimeout(Duration.ZERO).build();
        Response response = streaming.newCall(request.build()).execute();
        if (!response.isSuccessful()) {
            try (response) {
                throw refusal(response.code(), body(response));
            }
        }
        return response;
    }

    private Request.Builder request(String path) {
        return new Request.Builder().url(base.newBuilder().encodedPath("/api/v1" + path).build())
                .header("Authorization", "Bearer " + token);
    }

    /** A write a follower refused is sent once more, to the leader it names; the commands after it talk to the leader. */
    private Answer call(Request request) {
        try (Response response = http.newCall(request).execute()) {
            String text = body(response);
            String leader = response.header(LEADER_HEADER);
            if (response.code() == 409 && leader != null) {
                HttpUrl target = leaderUrl(leader, errorLine(text));
                System.err.println("baton: " + address() + " is a follower; sending this to the leader at " + target);
                base = target;
                Request again = request.newBuilder().url(request.url().newBuilder().scheme(target.scheme()).host(target.host())
                        .port(target.port()).build()).build();
                try (Response second = http.newCall(again).execute()) {
                    String secondText = body(second);
                    if (!second.isSuccessful()) throw refusal(second.code(), secondText);
                    return new Answer(second.code(), secondText.isBlank() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(secondText));
                }
            }
            if (!response.isSuccessful()) throw refusal(response.code(), text);
            return new Answer(response.code(), text.isBlank() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(text));
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** The leader's base URL; never a downgrade from HTTPS to plain HTTP (the token would cross in clear). */
    private HttpUrl leaderUrl(String leader, String refusal) {
        HttpUrl url = HttpUrl.parse(leader);
        if (url == null) throw new BatonMain.UserError(refusal);
        if (base.isHttps() && !url.isHttps()) {
            throw new BatonMain.UserError(refusal + " (not followed: it is plain HTTP and the token would cross in clear)");
        }
        return url;
    }

    BatonMain.UserError unreachable(IOException e) {
        return new BatonMain.UserError("cannot reach the Baton server at " + address() + ": " + e.getMessage());
    }

    private BatonMain.UserError refusal(int code, String text) {
        String line = errorLine(text);
        return switch (code) {
            case 401 -> new BatonMain.UserError("the server at " + address() + " does not accept the token in " + TOKEN_ENV
                    + (line.isEmpty() ? "" : " (" + line + ")"));
            case 403 -> new BatonMain.UserError("not allowed with the token in " + TOKEN_ENV + ": " + line);
            default -> new BatonMain.UserError(code >= 500 ? "the server answered " + code + ": " + line
                    : line.isEmpty() ? "the server answered " + code : line);
        };
    }

    private static String body(Response response) throws IOException {
        return response.body() == null ? "" : response.body().string();
    }

    private static String errorLine(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node != null && node.hasNonNull("error")) return node.path("error").asText();
        } catch (IOException notJson) {
            // fall through
        }
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
