package dev.baton.fleet;

import dev.baton.agentclient.AgentCredentials;
import dev.baton.ca.CertificateAuthority;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.tls.PemFiles;
import dev.baton.tls.TlsContexts;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real fleet whose agents serve their API over mutual TLS only (certificates from a CA made by {@code baton ca}'s
 * code): a rollout with the client certificate succeeds; without it, with one from another CA, or in plain HTTP,
 * nothing reaches an agent.
 */
class MutualTlsEndToEndTest {
    private static LocalFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 2, "1.0.0", false, true);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    private static RolloutResult roll(String version, AgentCredentials credentials, List<Event> events) throws Exception {
        Plan plan = new PlanLoader().load(fleet.writePlan(version, null));
        return new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, credentials, events::add)).run(plan);
    }

    private static int status(OkHttpClient client, String url) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(url)
                .header("Authorization", "Bearer " + fleet.agentToken()).build()).execute()) {
            return response.code();
        }
    }

    @Test
    void aRolloutWithTheClientCertificateSucceedsOverMutualTls() throws Exception {
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutResult result = roll("2.0.0", new AgentCredentials(fleet.agentToken(), fleet.agentClientTls()), events);

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        OkHttpClient tls = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5))
                .sslSocketFactory(fleet.agentClientTls().context().getSocketFactory(), fleet.agentClientTls().trust()).build();
        for (LocalFleet.Host host : fleet.hosts()) {
            assertThat(host.agentUrl()).startsWith("https://");
            try (Response response = tls.newCall(new Request.Builder().url(host.agentUrl() + "/v1/status")
                    .header("Authorization", "Bearer " + fleet.agentToken()).build()).execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.body().string()).contains("\"2.0.0\"");
            }
        }
    }

    @Test
    void withoutTheCasClientCertificateNothingReachesAnAgent() throws Exception {
        String status = fleet.hosts().get(0).agentUrl() + "/v1/status";
        OkHttpClient plain = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
        // plain HTTP to the TLS port
        String http = status.replace("https://", "http://");
        assertThat(answers(plain, http)).as("plain HTTP").isFalse();

        // TLS that trusts the fleet's CA, but no client certificate
        TlsContexts own = fleet.agentClientTls();
        javax.net.ssl.SSLContext noCertificate = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
        noCertificate.init(null, new javax.net.ssl.TrustManager[]{own.trust()}, null);
        OkHttpClient anonymous = plain.newBuilder().sslSocketFactory(noCertificate.getSocketFactory(), own.trust()).build();
        assertThat(answers(anonymous, status)).as("no client certificate").isFalse();

        // a client certificate from another CA
        Path rogue = Files.createTempDirectory(fleet.workDir(), "rogue");
        CertificateAuthority other = CertificateAuthority.create("rogue", Duration.ofDays(1));
        CertificateAuthority.Issued intruder = other.client("intruder", Duration.ofDays(1));
        PemFiles.writeCertificate(rogue.resolve("c.pem"), intruder.certificate());
        PemFiles.writePrivateKey(rogue.resolve("k.pem"), intruder.keys().getPrivate());
        TlsContexts foreign = TlsContexts.fromPem(fleet.certificateAuthority().resolve("ca.pem"), rogue.resolve("c.pem"), rogue.resolve("k.pem"));
        OkHttpClient impostor = plain.newBuilder().sslSocketFactory(foreign.context().getSocketFactory(), foreign.trust()).build();
        assertThat(answers(impostor, status)).as("client certificate from another CA").isFalse();

        // Baton itself without TLS: it cannot even prepare, and nothing changes
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutResult result = roll("3.0.0", new AgentCredentials(fleet.agentToken(), null), events);
        assertThat(result.status()).isEqualTo(RolloutResult.Status.FAILED);
        assertThat(result.summary()).startsWith("PREPARE failed on 2 host(s), nothing was changed");
    }

    private static boolean answers(OkHttpClient client, String url) {
        try {
            return status(client, url) == 200;
        } catch (IOException refused) {
            return false;
        }
    }
}
