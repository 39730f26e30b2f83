package dev.baton.consul;

import dev.baton.rollout.StepFailure;
import dev.baton.wire.HostileHttpServer;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The Consul client against a hostile peer: every call is bounded and every odd answer is a named failure. */
class ConsulClientTest {
    private static final Duration GUARD = Duration.ofSeconds(20);
    private final ConsulClient client = new ConsulClient(new OkHttpClient(), "t0ken");

    @Test
    void eachPathSegmentIsEncodedAndDotSegmentsAreRefused() throws StepFailure {
        HttpUrl base = HttpUrl.get("http://127.0.0.1:8500/");
        assertThat(ConsulClient.url(base, List.of("v1", "agent", "service", "web-1:8080@dc"), q -> q).encodedPath())
                .isEqualTo("/v1/agent/service/web-1:8080@dc");
        for (String hostile : List.of("..", ".", "a/../../v1/kv/pwned", "%2e%2e", "a b", "x\"y", "", "a..b")) {
            assertThatThrownBy(() -> ConsulClient.url(base, List.of("v1", "agent", "service", hostile), q -> q))
                    .isInstanceOf(StepFailure.class).hasMessageStartingWith("refusing path segment");
        }
    }

    @Test
    void theSlashSeparatedFormRefusesTraversalToo() {
        assertThatThrownBy(() -> client.get(HttpUrl.get("http://127.0.0.1:1/"), "v1/health/service/a/../../v1/kv/pwned",
                q -> q, Duration.ofSeconds(1))).isInstanceOf(StepFailure.class).hasMessage(
                "refusing path segment \"..\" from Consul: only " + ConsulNames.ALLOWED + " are allowed");
    }

    @Test
    void aHangingConsulIsAFailureWithinTheCallTimeout() throws Exception {
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.hanging())) {
            long started = System.nanoTime();
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() ->
                    client.get(HttpUrl.get(consul.url()), List.of("v1", "agent", "self"), q -> q, Duration.ofMillis(800)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("is unreachable (GET /v1/agent/self)"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
        }
    }

    @Test
    void aDrippingAnswerIsCutByTheCallTimeout() throws Exception {
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.dripping(50))) {
            long started = System.nanoTime();
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() ->
                    client.get(HttpUrl.get(consul.url()), List.of("v1", "agent", "self"), q -> q, Duration.ofMillis(800)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("is unreachable"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
        }
    }

    @Test
    void aBodyLargerThanTheCapIsRefused() throws Exception {
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.flooding())) {
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() ->
                    client.get(HttpUrl.get(consul.url()), List.of("v1", "agent", "self"), q -> q, Duration.ofSeconds(15)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("larger than the 33554432-byte limit"));
        }
    }

    @Test
    void garbageJsonIsAFailure() throws Exception {
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.answeringJson(200, "{\"Config\": nope"))) {
            assertThatThrownBy(() -> client.get(HttpUrl.get(consul.url()), List.of("v1", "agent", "self"), q -> q, Duration.ofSeconds(2)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("answered GET /v1/agent/self with malformed JSON");
        }
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        try (HostileHttpServer elsewhere = HostileHttpServer.start(HostileHttpServer.answeringJson(200, "{}"));
             HostileHttpServer consul = HostileHttpServer.start((head, out) -> out.write(("HTTP/1.1 307 X\r\nLocation: "
                     + elsewhere.url() + "/v1/kv/pwned\r\nContent-Length: 0\r\n\r\n").getBytes()))) {
            assertThatThrownBy(() -> client.put(HttpUrl.get(consul.url()), List.of("v1", "agent", "service", "deregister", "web-1"),
                    q -> q, null)).isInstanceOf(StepFailure.class).hasMessageContaining("answered 307");
            assertThat(elsewhere.connections()).isZero();
        }
    }

    @Test
    void aHealthAnswerThatIsNotAListIsAFailure() throws Exception {
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.answeringJson(200, "{\"Service\": {}}"))) {
            ConsulRegistry registry = new ConsulRegistry(client, HttpUrl.get(consul.url()));
            assertThatThrownBy(() -> registry.instances("web", null)).isInstanceOf(StepFailure.class)
                    .hasMessage("Consul's health of service web is malformed: not a list of instances");
        }
    }

    @Test
    void anInstanceWithAWrongTypedPortIsAFailure() throws Exception {
        String entry = "[{\"Node\": {\"Node\": \"n1\", \"Address\": \"127.0.0.1\"}, \"Service\": {\"ID\": \"web-1\", \"Service\": \"web\", \"Port\": \"80\"}}]";
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.answeringJson(200, entry))) {
            ConsulRegistry registry = new ConsulRegistry(client, HttpUrl.get(consul.url()));
            assertThatThrownBy(() -> registry.instances("web", null)).isInstanceOf(StepFailure.class)
                    .hasMessage("refusing service ID \"web-1\" from Consul: its port \"\\\"80\\\"\" is not 1-65535");
        }
    }

    @Test
    void anInstanceWithAHostileAddressIsAFailure() throws Exception {
        String entry = "[{\"Node\": {\"Node\": \"n1\", \"Address\": \"127.0.0.1\"}, \"Service\": {\"ID\": \"web-1\", \"Service\": \"web\", "
                + "\"Address\": \"evil.example/path?x=\", \"Port\": 80}}]";
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.answeringJson(200, entry))) {
            ConsulRegistry registry = new ConsulRegistry(client, HttpUrl.get(consul.url()));
            assertThatThrownBy(() -> registry.instances("web", null)).isInstanceOf(StepFailure.class)
                    .hasMessageStartingWith("refusing the address \"evil.example/path?x=\" of service ID \"web-1\"");
        }
    }

    @Test
    void awaitPassingAgainstAHangingConsulFailsWithinItsTimeout() throws Exception {
        try (HostileHttpServer consul = HostileHttpServer.start(HostileHttpServer.hanging())) {
            ConsulRegistry registry = new ConsulRegistry(client, HttpUrl.get(consul.url()));
            dev.baton.rollout.Instance web1 = new dev.baton.rollout.Instance("web-1", "web", "n1", "127.0.0.1", 80);
            long started = System.nanoTime();
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> registry.awaitPassing(web1, false, Duration.ofSeconds(1)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("is unreachable (GET /v1/health/service/web)"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1800));
        }
    }
}
