package dev.baton.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agent.traffic.TrafficWatch;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/traffic/quiet} answers that need no app: errors of ss and the bound on concurrent watches. */
class HttpApiTrafficTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private ServerSocket app;
    private TrafficWatch traffic;
    private HttpApi api;

    @BeforeEach
    void listen() throws Exception {
        app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws Exception {
        if (api != null) {
            api.close();
        }
        if (traffic != null) {
            traffic.close();
        }
        app.close();
    }

    @Test
    void aMissingSsIsA500NamingIproute2() throws Exception {
        start(new TrafficWatch(app.getLocalPort(), "/nonexistent/ss"));

        HttpResponse<String> response = get("/v1/traffic/quiet?quietMs=100&timeoutMs=1000").get(5, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(response.body()).path("error").asText())
                .contains("cannot run '/nonexistent/ss'", "iproute2").doesNotContain("\n");
    }

    @Test
    void watchesBeyondTheBoundAreRefusedAndTheOthersStillAnswer() throws Exception {
        start(new TrafficWatch(app.getLocalPort()));
        List<CompletableFuture<HttpResponse<String>>> watches = new ArrayList<>();
        for (int i = 0; i < HttpApi.MAX_TRAFFIC_WATCHES; i++) {
            watches.add(get("/v1/traffic/quiet?quietMs=60000&timeoutMs=1500"));
        }
        Thread.sleep(300);

        HttpResponse<String> refused = get("/v1/traffic/quiet?quietMs=100&timeoutMs=1000").get(5, TimeUnit.SECONDS);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(refused.body()).path("error").asText()).contains("retry later");
        for (CompletableFuture<HttpResponse<String>> watch : watches) {
            HttpResponse<String> response = watch.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("quiet").asBoolean()).isFalse();
            assertThat(body.path("waitedMs").asLong()).isBetween(1_500L, 3_000L);
            assertThat(body.path("port").asInt()).isEqualTo(app.getLocalPort());
        }
        assertThat(get("/v1/traffic/quiet?quietMs=10&timeoutMs=1000").get(5, TimeUnit.SECONDS).statusCode())
                .isEqualTo(200);
    }

    private void start(TrafficWatch watch) throws Exception {
        traffic = watch;
        api = new HttpApi(new BearerAuth("secret"), null, null, traffic, null, null);
        api.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + path))
                .header("Authorization", "Bearer secret")
                .timeout(Duration.ofSeconds(10))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }
}
