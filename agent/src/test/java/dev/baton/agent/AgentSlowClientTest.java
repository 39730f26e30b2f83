package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that send half a request, or a body byte by byte, neither block the API nor hold a connection for long. */
class AgentSlowClientTest {

    private static final int SLOW_CLIENTS = 40;
    private static final String TOKEN = "slow-client-test-token";

    @TempDir
    Path home;
    private Agent agent;
    private ApiClient api;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void startAgent() throws Exception {
        agent = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), home, TOKEN, "demo-app",
                URI.create("http://127.0.0.1:1/healthz")));
        agent.start();
        api = new ApiClient("http://127.0.0.1:" + agent.address().getPort(), TOKEN);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        agent.stop();
    }

    @Test
    void partialHeadersDoNotStopOtherRequestsAndAreCutOffAfterTheIdleTimeout() throws Exception {
        for (int i = 0; i < SLOW_CLIENTS; i++) {
            Socket socket = connect();
            write(socket, "GET /v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\nX-Sl");
        }
        // Keep them trickling, so that each one has sent something within the last second.
        for (Socket socket : sockets) {
            write(socket, "o");
        }

        long started = System.nanoTime();
        ApiClient.Answer answer = api.get("/v1/releases");
        long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answeredMillis).as("a normal request among %d slow clients", SLOW_CLIENTS).isLessThan(2_000);
        System.out.printf("slow-clients: %d half-sent requests open, a normal request answered in %d ms%n",
                SLOW_CLIENTS, answeredMillis);
        for (Socket socket : sockets) {
            assertThat(closedByServerWithin(socket, 10_000)).as("a half-sent request is cut off").isTrue();
        }
    }

    @Test
    void aBodySentByteByByteIsCutOffAndOtherRequestsStillAnswer() throws Exception {
        List<Socket> trickling = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket socket = connect();
            write(socket, "POST /v1/restarts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"version\":");
            trickling.add(socket);
        }
        long started = System.nanoTime();
        boolean[] closed = new boolean[trickling.size()];
        // One byte per 200 ms per client: far below the minimum body rate; bounded to 15 s.
        while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15) && !allTrue(closed)) {
            for (int i = 0; i < trickling.size(); i++) {
                if (!closed[i]) {
                    try {
                        write(trickling.get(i), " ");
                    } catch (IOException e) {
                        closed[i] = true;
                    }
                }
            }
            assertThat(api.get("/v1/releases").status()).isEqualTo(200);
            Thread.sleep(200);
        }
        for (int i = 0; i < trickling.size(); i++) {
            closed[i] = closed[i] || closedByServerWithin(trickling.get(i), 2_000);
        }
        assertThat(closed).as("every trickling body was cut off within 15 s").containsOnly(true);
        assertThat(home.resolve("releases")).isEmptyDirectory();
    }

    @Test
    void aRequestThatWorksLongerThanTheIdleTimeoutStillGetsItsAnswer() throws Exception {
        // Nothing is read or written while the traffic watch waits: the idle timeout must not cut the connection.
        ApiClient.Answer answer = api.get("/v1/traffic/quiet?quietMs=60000&timeoutMs=7000");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().path("waitedMs").asLong()).isGreaterThanOrEqualTo(7_000);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", agent.address().getPort()), 2_000);
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Whether the server closes the connection (EOF or reset) within the time, whatever it answers first. */
    private static boolean closedByServerWithin(Socket socket, int millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean value : values) {
            if (!value) {
                return false;
            }
        }
        return true;
    }
}
