package dev.baton.agent.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One GET of the ready URL: ready means HTTP 200. */
public final class ReadinessProbe {

    /** {@code answer} says what happened, e.g. "200", "503" or "connection refused", for error messages. */
    public record Result(boolean ready, String answer) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final URI url;
    private final HttpClient client;

    public ReadinessProbe(URI url) {
        this.url = url;
        this.client = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public Result probe() throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).GET().timeout(TIMEOUT).build();
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return new Result(status == 200, Integer.toString(status));
        } catch (java.net.ConnectException e) {
            return new Result(false, "connection refused");
        } catch (java.net.http.HttpTimeoutException e) {
            return new Result(false, "no answer within " + TIMEOUT.toMillis() + "ms");
        } catch (IOException e) {
            String message = e.getMessage();
            return new Result(false, message == null ? e.getClass().getSimpleName() : message.replaceAll("\\s+", " "));
        }
    }
}
