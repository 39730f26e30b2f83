package dev.baton.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw HTTP/1.1 peer that misbehaves on purpose, for the adapters' fault tests: it reads the request head and
 * then does whatever its {@link Behaviour} says on the bare socket (answer garbage, hang, drip, flood).
 */
public final class HostileHttpServer implements AutoCloseable {
    public interface Behaviour {
        void serve(String requestHead, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private HostileHttpServer(ServerSocket server, Behaviour behaviour) {
        this.server = server;
        Thread acceptor = new Thread(() -> acceptLoop(behaviour), "hostile-http");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static HostileHttpServer start(Behaviour behaviour) throws IOException {
        return new HostileHttpServer(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), behaviour);
    }

    /** A complete answer with the given status and body. */
    public static Behaviour answering(int status, String contentType, String body) {
        return (head, out) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType + "\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
        };
    }

    public static Behaviour answeringJson(int status, String json) {
        return answering(status, "application/json", json);
    }

    /** Reads the request and never answers. */
    public static Behaviour hanging() {
        return (head, out) -> Thread.sleep(Long.MAX_VALUE);
    }

    /** A 200 head announcing a body, then one byte of it every {@code everyMillis}, forever. */
    public static Behaviour dripping(long everyMillis) {
        return (head, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
                Thread.sleep(everyMillis);
                out.write(' ');
                out.flush();
            }
        };
    }

    /** A 200 with a chunked JSON body that never ends, as fast as the client reads. */
    public static Behaviour flooding() {
        return (head, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("4000\r\n" + "[".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            while (true) out.write(chunk);
        };
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The request heads received so far (request line and headers). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop(Behaviour behaviour) {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            clients.add(client);
            Thread handler = new Thread(() -> {
                try (client) {
                    String head = readHead(client.getInputStream());
                    requests.add(head);
                    OutputStream out = client.getOutputStream();
                    behaviour.serve(head, out);
                    out.flush();
                } catch (IOException | InterruptedException gone) {
                    // the client gave up, or the test is over
                }
            }, "hostile-http-client");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) break;
            if (head.length() > 64 * 1024) break;
        }
        return head.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket client : clients) client.close();
    }
}
