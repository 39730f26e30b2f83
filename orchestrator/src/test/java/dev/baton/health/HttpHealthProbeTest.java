package dev.baton.health;

import dev.baton.plan.Plan;
import dev.baton.rollout.HealthProbe;
import dev.baton.rollout.Instance;
import dev.baton.wire.HostileHttpServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The HTTP probe against real local peers: every try ends within the plan's timeout, and reads a bounded body. */
class HttpHealthProbeTest {
    private static final Duration TRY = Duration.ofMillis(500);
    private static final Duration GUARD = Duration.ofSeconds(20);

    @Test
    void theExpectedStatusIsHealthy() throws Exception {
        try (HostileHttpServer app = HostileHttpServer.start(HostileHttpServer.answering(200, "text/plain", "ok"))) {
            assertThat(probe(null).check(at(app))).isEqualTo(new HealthProbe.Result(true, "GET /healthz -> 200"));
        }
    }

    @Test
    void aHangingAppIsUnhealthyWithinTheTryTimeout() throws Exception {
        try (HostileHttpServer app = HostileHttpServer.start(HostileHttpServer.hanging())) {
            long started = System.nanoTime();
            HealthProbe.Result result = assertTimeoutPreemptively(GUARD, () -> probe(null).check(at(app)));
            assertThat(result.healthy()).isFalse();
            assertThat(result.detail()).startsWith("GET /healthz failed: ");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TRY.plusMillis(500));
        }
    }

    @Test
    void aDrippingBodyIsCutAtTheTryTimeout() throws Exception {
        try (HostileHttpServer app = HostileHttpServer.start(HostileHttpServer.dripping(50))) {
            long started = System.nanoTime();
            HealthProbe.Result result = assertTimeoutPreemptively(GUARD, () -> probe("\"ok\"").check(at(app)));
            assertThat(result.healthy()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TRY.plusMillis(500));
        }
    }

    @Test
    void anEndlessBodyIsReadOnlyUpToTheCap() throws Exception {
        try (HostileHttpServer app = HostileHttpServer.start(HostileHttpServer.flooding())) {
            HealthProbe.Result result = assertTimeoutPreemptively(GUARD, () -> probe("healthy").check(at(app)));
            assertThat(result).isEqualTo(new HealthProbe.Result(false,
                    "GET /healthz -> 200 but the first 64 KiB of the body lack \"healthy\""));
        }
    }

    @Test
    void aMatchWithinTheCapOfAnEndlessBodyIsHealthy() throws Exception {
        try (HostileHttpServer app = HostileHttpServer.start((head, out) -> {
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nhealthy\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("1000\r\n" + "x".repeat(0x1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            while (true) out.write(chunk);
        })) {
            HealthProbe.Result result = assertTimeoutPreemptively(GUARD, () -> probe("healthy").check(at(app)));
            assertThat(result.healthy()).isTrue();
        }
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        try (HostileHttpServer elsewhere = HostileHttpServer.start(HostileHttpServer.answering(200, "text/plain", "ok"));
             HostileHttpServer app = HostileHttpServer.start((head, out) -> out.write(("HTTP/1.1 302 Found\r\nLocation: "
                     + elsewhere.url() + "/healthz\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII)))) {
            assertThat(probe(null).check(at(app))).isEqualTo(new HealthProbe.Result(false, "GET /healthz -> 302"));
            assertThat(elsewhere.connections()).isZero();
        }
    }

    /** OkHttp reads a zero timeout as none at all. */
    @Test
    void aZeroTryTimeoutIsNotUnbounded() throws Exception {
        try (HostileHttpServer app = HostileHttpServer.start(HostileHttpServer.hanging())) {
            HttpHealthProbe probe = new HttpHealthProbe(new OkHttpClient(), new Plan.Health("/healthz", 200, null, 0, Duration.ZERO,
                    Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(5), false));
            assertThat(assertTimeoutPreemptively(GUARD, () -> probe.check(at(app))).healthy()).isFalse();
        }
    }

    @Test
    void anAddressThatIsNotAHostIsUnhealthyNotACrash() {
        HealthProbe.Result result = probe(null).check(new Instance("w", "web", "n", "evil/x", 80));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).startsWith("cannot probe evil/x:80/healthz");
    }

    private static HttpHealthProbe probe(String bodyContains) {
        return new HttpHealthProbe(new OkHttpClient(), new Plan.Health("/healthz", 200, bodyContains, 0, TRY,
                Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(5), false));
    }

    private static Instance at(HostileHttpServer app) {
        return new Instance("web-1", "web", "node", app.host(), app.port());
    }
}
