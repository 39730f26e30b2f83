package dev.baton.ca;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.baton.cli.BatonCli;
import dev.baton.tls.TlsContexts;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CA the operator makes with {@code baton ca} carries real mutual TLS: a client with a certificate from that CA
 * reaches a server with the certificate of the host it dialled; no client certificate, a certificate from another CA,
 * or a server certificate for another host, and the handshake fails.
 */
class MutualTlsTest {
    @TempDir
    Path dir;
    private HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private void baton(String... args) {
        BatonCli.Run run = BatonCli.run(args);
        assertThat(run.code()).as(run.out() + run.err()).isZero();
    }

    /** An HTTPS server on 127.0.0.1 that requires a client certificate, like an agent. */
    private String serve(Path cert, Path key) throws IOException {
        TlsContexts tls = TlsContexts.fromPem(dir.resolve("ca/ca.pem"), cert, key);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.context()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = tls.context().getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                params.setSSLParameters(ssl);
            }
        });
        server.createContext("/v1/status", exchange -> {
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/v1/status";
    }

    private static OkHttpClient client(TlsContexts tls) {
        return new OkHttpClient.Builder().sslSocketFactory(tls.context().getSocketFactory(), tls.trust()).build();
    }

    private static int get(OkHttpClient client, String url) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.code();
        }
    }

    @Test
    void theCasCertificatesMakeAMutualTlsConnectionAndNothingElseDoes() throws Exception {
        baton("ca", "init", "--dir", dir.resolve("ca").toString());
        baton("ca", "agent-cert", "127.0.0.1", "127.0.0.2", "--ca", dir.resolve("ca").toString(), "--out", dir.resolve("agents").toString());
        baton("ca", "client-cert", "baton-server", "--ca", dir.resolve("ca").toString(), "--out", dir.resolve("clients").toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca/ca-key.pem")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agents/127.0.0.1-key.pem")))).isEqualTo("rw-------");

        String url = serve(dir.resolve("agents/127.0.0.1.pem"), dir.resolve("agents/127.0.0.1-key.pem"));
        TlsContexts client = TlsContexts.fromPem(dir.resolve("ca/ca.pem"), dir.resolve("clients/baton-server.pem"),
                dir.resolve("clients/baton-server-key.pem"));
        assertThat(get(client(client), url)).isEqualTo(200);

        // no client certificate: the server refuses the handshake
        OkHttpClient anonymous = new OkHttpClient.Builder().sslSocketFactory(
                javax.net.ssl.SSLContext.getDefault().getSocketFactory(), client.trust()).build();
        assertThatThrownBy(() -> get(anonymous, url)).isInstanceOf(IOException.class);

        // a client certificate from another CA
        baton("ca", "init", "--dir", dir.resolve("rogue").toString());
        baton("ca", "client-cert", "intruder", "--ca", dir.resolve("rogue").toString(), "--out", dir.resolve("rogue-clients").toString());
        TlsContexts rogue = TlsContexts.fromPem(dir.resolve("ca/ca.pem"), dir.resolve("rogue-clients/intruder.pem"),
                dir.resolve("rogue-clients/intruder-key.pem"));
        assertThatThrownBy(() -> get(client(rogue), url)).isInstanceOf(IOException.class);
    }

    @Test
    void anAgentCertificateForAnotherHostIsRefusedByTheClient() throws Exception {
        baton("ca", "init", "--dir", dir.resolve("ca").toString());
        baton("ca", "agent-cert", "127.0.0.2", "--ca", dir.resolve("ca").toString(), "--out", dir.resolve("agents").toString());
        baton("ca", "client-cert", "baton-server", "--ca", dir.resolve("ca").toString(), "--out", dir.resolve("clients").toString());
        String url = serve(dir.resolve("agents/127.0.0.2.pem"), dir.resolve("agents/127.0.0.2-key.pem"));
        TlsContexts client = TlsContexts.fromPem(dir.resolve("ca/ca.pem"), dir.resolve("clients/baton-server.pem"),
                dir.resolve("clients/baton-server-key.pem"));

        assertThatThrownBy(() -> get(client(client), url)).isInstanceOf(javax.net.ssl.SSLPeerUnverifiedException.class)
                .hasMessageContaining("127.0.0.1");
    }

    @Test
    void nothingIsOverwrittenAndAKeyReadableByOthersIsRefused() throws Exception {
        baton("ca", "init", "--dir", dir.resolve("ca").toString());
        BatonCli.Run again = BatonCli.run("ca", "init", "--dir", dir.resolve("ca").toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err().strip()).isEqualTo("baton: " + dir.resolve("ca/ca-key.pem") + " exists already: remove it first to replace it");

        Files.setPosixFilePermissions(dir.resolve("ca/ca-key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        BatonCli.Run leaky = BatonCli.run("ca", "client-cert", "x", "--ca", dir.resolve("ca").toString(), "--out", dir.resolve("c").toString());
        assertThat(leaky.code()).isEqualTo(2);
        assertThat(leaky.err()).contains("is accessible by group or others (rw-r--r--): chmod 600 it");
        assertThat(dir.resolve("c")).doesNotExist();

        BatonCli.Run badHost = BatonCli.run("ca", "agent-cert", "a/b", "--ca", dir.resolve("ca").toString(), "--out", dir.resolve("c").toString());
        assertThat(badHost.code()).isEqualTo(2);
    }
}
