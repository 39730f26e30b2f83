package dev.baton.agent.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads against a real HTTP server on loopback and real files; 127.0.0.1 and localhost count as two hosts. */
class ArtifactDownloaderTest {

    private static final byte[] CONTENT = "the artifact".getBytes(StandardCharsets.UTF_8);
    private static final String WRONG_SHA = "0".repeat(64);

    @TempDir
    Path temp;
    private HttpServer server;
    private int port;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/artifact", exchange -> answer(exchange, 200, CONTENT));
        server.createContext("/big", exchange -> answer(exchange, 200, new byte[4096]));
        server.createContext("/same-host", exchange -> redirect(exchange, "/artifact"));
        server.createContext("/other-host", exchange ->
                redirect(exchange, "http://localhost:" + port + "/artifact"));
        server.createContext("/to-file", exchange -> redirect(exchange, "file:///etc/passwd"));
        server.createContext("/loop", exchange -> redirect(exchange, "/loop"));
        server.createContext("/trickle", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                for (int i = 0; i < 50; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up
            }
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void downloadsOverHttpAndChecksTheSha256() throws Exception {
        Path target = temp.resolve("a.tar.gz");
        downloader(ArtifactPolicy.defaults()).download(url("/artifact"), sha256(CONTENT), target);
        assertThat(target).hasBinaryContent(CONTENT);
    }

    @Test
    void aWrongSha256SaysMismatchWithoutEitherHash() {
        String actual = sha256(CONTENT);
        assertThatThrownBy(() -> downloader(ArtifactPolicy.defaults())
                .download(url("/artifact"), WRONG_SHA, temp.resolve("a")))
                .isInstanceOf(ArtifactException.class)
                .hasMessage("sha256 mismatch for http://127.0.0.1:" + port + "/artifact")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(actual).doesNotContain(WRONG_SHA));
    }

    @Test
    void fileUrlsAreRefusedWithoutAnArtifactDirectory() {
        assertThatThrownBy(() -> ArtifactPolicy.defaults().check("file:///etc/shadow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("artifact.url: file: URLs are not allowed on this agent (it has no --artifact-dir)");
        assertThatThrownBy(() -> downloader(ArtifactPolicy.defaults())
                .download(URI.create("file:///etc/passwd"), WRONG_SHA, temp.resolve("a")))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("not allowed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("root:").doesNotContain("mismatch"));
        assertThat(temp.resolve("a")).doesNotExist();
    }

    @Test
    void fileUrlsBelowTheArtifactDirectoryOnly() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("artifacts"));
        Path artifact = Files.write(dir.resolve("app.tar.gz"), CONTENT);
        Files.createSymbolicLink(dir.resolve("escape.tar.gz"), Path.of("/etc/passwd"));
        ArtifactPolicy policy = new ArtifactPolicy(dir, false, ArtifactPolicy.DEFAULT_MAX_BYTES);

        downloader(policy).download(artifact.toUri(), sha256(CONTENT), temp.resolve("ok"));
        assertThat(temp.resolve("ok")).hasBinaryContent(CONTENT);

        for (String outside : new String[] {"file:///etc/passwd", "file://" + dir + "/../../../etc/passwd",
                "file://" + dir}) {
            assertThatThrownBy(() -> policy.check(outside)).as(outside)
                    .hasMessage("artifact.url names a file outside the agent's --artifact-dir");
        }
        assertThatThrownBy(() -> downloader(policy).download(dir.resolve("escape.tar.gz").toUri(), WRONG_SHA,
                temp.resolve("escaped")))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("outside the agent's --artifact-dir")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("mismatch"));
        assertThatThrownBy(() -> downloader(policy).download(dir.resolve("missing.tar.gz").toUri(), WRONG_SHA,
                temp.resolve("missing")))
                .hasMessageEndingWith("failed: no such file");
        assertThat(temp.resolve("escaped")).doesNotExist();
    }

    @Test
    void followsRedirectsOnTheSameHostOnly() throws Exception {
        downloader(ArtifactPolicy.defaults()).download(url("/same-host"), sha256(CONTENT), temp.resolve("same"));
        assertThat(temp.resolve("same")).hasBinaryContent(CONTENT);

        assertThatThrownBy(() -> downloader(ArtifactPolicy.defaults())
                .download(url("/other-host"), sha256(CONTENT), temp.resolve("other")))
                .isInstanceOf(ArtifactException.class)
                .hasMessage("download of " + url("/other-host") + " failed: redirect to http://localhost:" + port
                        + "/artifact refused: only the same host is allowed");
        assertThatThrownBy(() -> downloader(new ArtifactPolicy(temp, true, ArtifactPolicy.DEFAULT_MAX_BYTES))
                .download(url("/to-file"), WRONG_SHA, temp.resolve("file")))
                .hasMessageContaining("redirect to file:/etc/passwd refused: only http and https are allowed");
        assertThatThrownBy(() -> downloader(ArtifactPolicy.defaults())
                .download(url("/loop"), WRONG_SHA, temp.resolve("loop")))
                .hasMessageEndingWith("failed: more than 5 redirects");

        downloader(new ArtifactPolicy(null, true, ArtifactPolicy.DEFAULT_MAX_BYTES))
                .download(url("/other-host"), sha256(CONTENT), temp.resolve("allowed"));
        assertThat(temp.resolve("allowed")).hasBinaryContent(CONTENT);
    }

    @Test
    void aTrickleIsCutOffAtTheOverallDeadline() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> new ArtifactDownloader(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1),
                ArtifactPolicy.defaults()).download(url("/trickle"), WRONG_SHA, temp.resolve("t")))
                .isInstanceOf(ArtifactException.class)
                .hasMessageEndingWith("failed: took longer than 1s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void httpsNeverRedirectsToHttp() {
        ArtifactPolicy anyHost = new ArtifactPolicy(null, true, ArtifactPolicy.DEFAULT_MAX_BYTES);
        assertThat(anyHost.refusesRedirect(URI.create("https://a/x"), URI.create("http://a/x")))
                .isEqualTo("https may not redirect to http");
        assertThat(anyHost.refusesRedirect(URI.create("http://a/x"), URI.create("https://b/x"))).isNull();
        assertThat(ArtifactPolicy.defaults().refusesRedirect(URI.create("http://a/x"), URI.create("https://a/y")))
                .isNull();
    }

    @Test
    void refusesArtifactsLargerThanTheCap() {
        assertThatThrownBy(() -> downloader(new ArtifactPolicy(null, false, 1000))
                .download(url("/big"), WRONG_SHA, temp.resolve("big")))
                .isInstanceOf(ArtifactException.class)
                .hasMessageEndingWith("failed: artifact larger than 1000 bytes");
    }

    @Test
    void messagesNeverShowCredentialsOrQueryStrings() {
        URI url = URI.create("http://user:pa55@127.0.0.1:" + port + "/missing?X-Signature=s3cret");
        assertThatThrownBy(() -> downloader(ArtifactPolicy.defaults()).download(url, WRONG_SHA, temp.resolve("m")))
                .hasMessage("download of http://127.0.0.1:" + port + "/missing failed: HTTP 404");
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static ArtifactDownloader downloader(ArtifactPolicy policy) {
        return new ArtifactDownloader(Duration.ofSeconds(2), Duration.ofSeconds(5), policy);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        try (exchange) {
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Location", location);
            exchange.sendResponseHeaders(302, -1);
        }
    }
}
