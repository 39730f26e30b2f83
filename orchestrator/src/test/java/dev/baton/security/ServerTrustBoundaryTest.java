package dev.baton.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.api.BatonServer;
import dev.baton.api.ServerConfig;
import dev.baton.api.ServerTls;
import dev.baton.fleet.LocalFleet;
import dev.baton.hooks.HooksFile;
import dev.baton.server.Api;
import dev.baton.server.ConsulTree;
import dev.baton.server.ServerHarness;
import dev.baton.store.AuditLog;
import dev.baton.store.ConsulKv;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The server side of the trust boundary on a real fleet and Consul: deploy hooks only by name from the admin's hooks
 * file, no token to catalog addresses, the lock on the service actually rolled, secrets redacted everywhere, the
 * audit log, security headers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerTrustBoundaryTest {
    private static final String SIGNATURE = "SIGSECRET0123456";
    private static final String QUERY_TOKEN = "QTOKEN0123456789";
    private static final String PASSWORD = "USERPASS0123456";
    private static LocalFleet fleet;
    private static ServerHarness harness;
    private static BatonServer server;
    private static Api api;
    private static String finished;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 2, "1.0.0");
        harness = new ServerHarness(fleet);
        Path hooks = fleet.workDir().resolve("hooks.yaml");
        Files.writeString(hooks, """
                echo-secrets:
                  command: [/bin/echo, "agent %s at https://deploy:%s@artifacts.example/web.tgz?X-Amz-Signature=%s&token=%s"]
                  timeout: 10s
                show-env:
                  command: [/usr/bin/env]
                no-shell:
                  command: [/bin/echo, "$BATON_AGENT_TOKEN; cat /proc/self/environ"]
                """.formatted(fleet.agentToken(), PASSWORD, SIGNATURE, QUERY_TOKEN));
        server = BatonServer.start(harness.config().withHooks(HooksFile.load(hooks)));
        api = new Api(server.url());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (fleet != null) fleet.close();
    }

    @Test
    @Order(1)
    void aPlanNamingAHookTheServerDoesNotDefineIsRefusedAndNothingIsStored() throws Exception {
        Map<String, String> before = ConsulTree.withoutAudit(fleet.consulAddress());
        Api.Answer answer = api.post("/api/v1/rollouts", harness.deployer,
                harness.plan("2.0.0", null) + "hooks: { beforeDeploy: [echo-secrets, rm-everything] }\n", "application/yaml");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("plan: hooks.beforeDeploy: no hook named \"rm-everything\" is defined on this "
                + "server (defined: echo-secrets, no-shell, show-env)");
        Api.Answer command = api.post("/api/v1/rollouts", harness.deployer,
                harness.plan("2.0.0", null) + "hooks: { beforeDeploy: [\"tr '\\\\0' '\\\\n' </proc/$PPID/environ\"] }\n", "application/yaml");
        assertThat(command.status()).isEqualTo(400);
        assertThat(command.error()).contains("hooks.beforeDeploy[0]: deploy hooks are names").doesNotContain("\n");
        assertThat(ConsulTree.withoutAudit(fleet.consulAddress())).isEqualTo(before);
    }

    @Test
    @Order(2)
    void theFleetViewSendsNoCredentialToAddressesFromTheCatalog() throws Exception {
        InetAddress rogue = InetAddress.getByName("127.0.0.1");
        List<String> received = new CopyOnWriteArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 50, rogue)) {
            listener.setSoTimeout(200);
            register("rogue-1", "rogue", rogue.getHostAddress(), listener.getLocalPort());
            register("rogue-2", "rogue-agent-port", rogue.getHostAddress(), LocalFleet.AGENT_PORT);
            Thread accepting = new Thread(() -> accept(listener, received), "rogue-listener");
            accepting.setDaemon(true);
            accepting.start();
            // the agent port is where the fleet view used to ask with the token: listen there too when free
            ServerSocket agentPort = null;
            try {
                agentPort = new ServerSocket(LocalFleet.AGENT_PORT, 50, rogue);
                agentPort.setSoTimeout(200);
                ServerSocket agentListener = agentPort;
                Thread t = new Thread(() -> accept(agentListener, received), "rogue-agent-listener");
                t.setDaemon(true);
                t.start();
            } catch (java.io.IOException busy) {
                // another test owns it; the first listener still counts
            }
            Api.Answer fleetView = api.get("/api/v1/fleet", harness.viewer);
            assertThat(fleetView.status()).isEqualTo(200);
            assertThat(fleetView.text()).contains("rogue-1");
            Thread.sleep(1500);
            accepting.interrupt();
            if (agentPort != null) agentPort.close();
        } finally {
            deregister("rogue-1");
            deregister("rogue-2");
        }
        assertThat(received).as("requests that reached the rogue listeners").allSatisfy(r ->
                assertThat(r.toLowerCase()).doesNotContain("authorization").doesNotContain(fleet.agentToken()));
        assertThat(received).isEmpty();
    }

    @Test
    @Order(3)
    void twoPlansRollingTheSameConsulServiceCannotRunAtOnce() throws Exception {
        String slow = harness.plan("2.0.0", Duration.ofMillis(1500));
        String running = api.start(slow, harness.deployer);
        Map<String, String> before = ConsulTree.withoutAudit(fleet.consulAddress());
        String other = slow.replaceFirst("\nservice: web\n", "\nservice: web2\n");
        assertThat(other).contains("service: web2").contains("consul: { service: web }");
        Api.Answer second = api.post("/api/v1/rollouts", harness.deployer, other, "application/yaml");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.error()).isEqualTo("service web is being rolled out by " + running);
        Map<String, String> after = ConsulTree.withoutAudit(fleet.consulAddress());
        assertThat(after.keySet().stream().filter(k -> k.startsWith("baton/rollouts/") && !k.startsWith("baton/rollouts/" + running)))
                .isEqualTo(before.keySet().stream().filter(k -> k.startsWith("baton/rollouts/") && !k.startsWith("baton/rollouts/" + running)).toList());
        await().atMost(Duration.ofSeconds(120)).until(() -> api.rollout(running, harness.viewer).path("status").asText().equals("SUCCEEDED"));
    }

    @Test
    @Order(4)
    void aFullRolloutWithHooksLeavesNoSecretInEventsAnswersOrConsul() throws Exception {
        String plan = harness.plan("1.0.0", null) + "hooks: { beforeDeploy: [echo-secrets, show-env], afterDeploy: [no-shell] }\n";
        finished = api.start(plan, harness.deployer);
        await().atMost(Duration.ofSeconds(120)).until(() -> !api.rollout(finished, harness.viewer).path("status").asText().equals("RUNNING"));
        JsonNode rollout = api.rollout(finished, harness.viewer);
        assertThat(rollout.path("status").asText()).isEqualTo("SUCCEEDED");
        List<String> hookOutput = new ArrayList<>();
        rollout.path("events").forEach(e -> {
            if (e.path("step").asText().equals("HOOK") && e.path("outcome").asText().equals("OK")) hookOutput.add(e.path("detail").asText());
        });
        assertThat(hookOutput).hasSize(3);
        assertThat(hookOutput.get(0)).contains("agent [redacted] at https://[redacted]@artifacts.example/web.tgz?X-Amz-Signature=[redacted]&token=[redacted]");
        assertThat(hookOutput.get(1)).as("a minimal environment").contains("PATH=/usr/local/bin:/usr/bin:/bin").contains("BATON_SERVICE=web")
                .doesNotContain("BATON_AGENT_TOKEN").doesNotContain("HOME=");
        assertThat(hookOutput.get(2)).as("no shell: the argument is printed, not expanded").contains("$BATON_AGENT_TOKEN; cat /proc/self/environ");

        String everything = ConsulTree.dump(fleet.consulAddress())
                + api.get("/api/v1/rollouts", harness.admin).text() + api.get("/api/v1/rollouts/" + finished, harness.admin).text()
                + api.get("/api/v1/rollouts/" + finished + "/events", harness.admin).text()
                + api.get("/api/v1/fleet", harness.admin).text() + api.get("/api/v1/me", harness.admin).text()
                + api.get("/api/v1/audit", harness.admin).text();
        for (String secret : List.of(fleet.agentToken(), harness.viewer, harness.deployer, harness.admin, SIGNATURE, QUERY_TOKEN, PASSWORD)) {
            assertThat(everything).doesNotContain(secret);
        }
    }

    @Test
    @Order(5)
    void everyActionAndRefusedTokenIsAuditedWithTheTokensNameAndOnlyAdminsReadIt() throws Exception {
        api.get("/api/v1/me", "not-a-token-at-all");
        api.post("/api/v1/rollouts/" + finished + "/pause", harness.deployer, "", "application/json");
        assertThat(api.get("/api/v1/audit", harness.viewer).status()).isEqualTo(403);
        assertThat(api.get("/api/v1/audit", harness.deployer).status()).isEqualTo(403);
        Api.Answer audit = api.get("/api/v1/audit", harness.admin);
        assertThat(audit.status()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        audit.json().path("entries").forEach(e -> lines.add(e.path("actor").asText() + " " + e.path("action").asText() + " "
                + e.path("rollout").asText("-") + " " + e.path("status").asInt() + " " + e.path("result").asText()));
        assertThat(lines).contains("ci-deployer submit " + finished + " 201 started web 1.0.0")
                .contains("ci-deployer pause " + finished + " 409 cannot pause " + finished + ": it ended SUCCEEDED")
                .contains("unknown sign-in GET /api/v1/me - 401 unknown token")
                .contains("ana-viewer denied GET /api/v1/audit - 403 the viewer role may not do this (it needs admin)")
                .anyMatch(l -> l.startsWith("ci-deployer submit - 400 plan: hooks.beforeDeploy: no hook named \"rm-everything\""))
                .anyMatch(l -> l.startsWith("ci-deployer submit - 409 service web is being rolled out by r-"));
        assertThat(audit.json().path("entries").get(0).path("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(audit.text()).doesNotContain(harness.deployer).doesNotContain("not-a-token-at-all");
        assertThat(ConsulTree.read(fleet.consulAddress()).keySet()).anyMatch(k -> k.startsWith("baton/audit/"));
    }

    @Test
    @Order(6)
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        OkHttpClient http = new OkHttpClient();
        for (String path : List.of("/", "/index.html", "/js/main.js", "/api/v1/me", "/api/v1/openapi.json", "/api/v1/nothing", "/nothing")) {
            try (Response response = http.newCall(new Request.Builder().url(server.url() + path)
                    .header("Authorization", "Bearer " + harness.viewer).build()).execute()) {
                assertThat(response.header("Content-Security-Policy")).as(path)
                        .contains("default-src 'self'").contains("script-src 'self'").contains("frame-ancestors 'none'")
                        .doesNotContain("unsafe-inline");
                assertThat(response.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
                assertThat(response.header("Referrer-Policy")).as(path).isEqualTo("no-referrer");
                assertThat(response.header("X-Frame-Options")).as(path).isEqualTo("DENY");
            }
        }
    }

    @Test
    @Order(7)
    void withACertificateTheServerSpeaksOnlyTls() throws Exception {
        Path dir = Files.createTempDirectory(fleet.workDir(), "tls");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor()).as(output).isZero();

        try (BatonServer tls = BatonServer.start(harness.config().withTls(ServerTls.load(cert, key), false))) {
            assertThat(tls.url()).startsWith("https://127.0.0.1:");
            OkHttpClient trusting = trusting(cert);
            try (Response me = trusting.newCall(new Request.Builder().url(tls.url() + "/api/v1/me")
                    .header("Authorization", "Bearer " + harness.viewer).build()).execute()) {
                assertThat(me.code()).isEqualTo(200);
                assertThat(me.body().string()).isEqualTo("{\"role\":\"viewer\"}");
                assertThat(me.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
                assertThat(me.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
            }
            try (Response page = trusting.newCall(new Request.Builder().url(tls.url() + "/").build()).execute()) {
                assertThat(page.code()).isEqualTo(200);
            }
            String plain = tls.url().replace("https://", "http://");
            assertThatThrownBy(() -> {
                try (Response r = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build()
                        .newCall(new Request.Builder().url(plain + "/api/v1/me").build()).execute()) {
                    if (r.code() == 200) throw new AssertionError("plain HTTP answered 200");
                    throw new java.io.IOException("refused with " + r.code());
                }
            }).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    @Order(8)
    void plainHttpOnAnAddressOtherThanLoopbackIsRefusedUnlessAskedFor() throws Exception {
        assertThatThrownBy(() -> BatonServer.start(withHost(harness.config(), "0.0.0.0")))
                .isInstanceOf(BatonServer.Refused.class)
                .hasMessage("refusing plain HTTP on 0.0.0.0, which is not a loopback address: tokens would cross the network "
                        + "in clear; give --tls-cert and --tls-key (or --insecure-http behind a TLS proxy)");
        try (BatonServer insecure = BatonServer.start(withHost(harness.config(), "0.0.0.0").withTls(null, true))) {
            assertThat(insecure.port()).isPositive();
        }
        Path key = fleet.workDir().resolve("not-a-key.pem");
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ServerTls.load(key, key)).isInstanceOf(ServerTls.Invalid.class)
                .hasMessage("--tls-cert " + key + ": not a PEM certificate");
    }

    @Test
    @Order(9)
    void theAuditLogKeepsOnlyTheNewestEntries() throws Exception {
        AuditLog audit = new AuditLog(new ConsulKv(new OkHttpClient(), HttpUrl.get(fleet.consulAddress()), null), 5);
        Instant start = Instant.now().plusSeconds(3600); // after every entry the server wrote
        for (int i = 0; i < 30; i++) {
            audit.record(new AuditLog.Entry(start.plusMillis(i), "bounded-" + i, "admin", "submit", null, 201, "entry " + i));
        }
        List<AuditLog.Entry> kept = audit.recent(1000);
        assertThat(kept.size()).as("at most keep + one pruning period").isLessThanOrEqualTo(5 + 20);
        assertThat(kept.get(0).actor()).isEqualTo("bounded-29");
        assertThat(kept).extracting(AuditLog.Entry::actor).doesNotContain("bounded-0", "bounded-14").contains("bounded-20");
    }

    private static ServerConfig withHost(ServerConfig c, String host) {
        return new ServerConfig(host, 0, c.consul(), c.consulToken(), c.tokens(), c.agentToken(), c.hooks(), c.tls(),
                c.insecureHttp(), c.agentPort(), c.lockTtl(), c.recoveryEvery(), c.keepAlive(), c.ports());
    }

    private static OkHttpClient trusting(Path certFile) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (var in = Files.newInputStream(certFile)) {
            trusted.setCertificateEntry("baton", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        X509TrustManager manager = (X509TrustManager) factory.getTrustManagers()[0];
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{manager}, null);
        return new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(), manager)
                .callTimeout(Duration.ofSeconds(10)).build();
    }

    private static void accept(ServerSocket listener, List<String> received) {
        while (!Thread.currentThread().isInterrupted() && !listener.isClosed()) {
            try (Socket socket = listener.accept()) {
                socket.setSoTimeout(1000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                StringBuilder head = new StringBuilder("connection");
                for (int i = 0; i < 50; i++) {
                    String line = in.readLine();
                    if (line == null || line.isEmpty()) break;
                    head.append('\n').append(line);
                }
                received.add(head.toString());
            } catch (SocketTimeoutException idle) {
                // poll again
            } catch (java.io.IOException closed) {
                return;
            }
        }
    }

    private static void register(String id, String name, String address, int port) throws Exception {
        String body = "{\"ID\":\"" + id + "\",\"Name\":\"" + name + "\",\"Address\":\"" + address + "\",\"Port\":" + port + "}";
        consul("/v1/agent/service/register", body);
    }

    private static void deregister(String id) throws Exception {
        consul("/v1/agent/service/deregister/" + id, "");
    }

    private static void consul(String path, String body) throws Exception {
        try (Response r = new OkHttpClient().newCall(new Request.Builder().url(fleet.consulAddress() + path)
                .put(RequestBody.create(body, MediaType.get("application/json"))).build()).execute()) {
            assertThat(r.code()).as(path + ": " + r.body().string()).isEqualTo(200);
        }
    }
}
