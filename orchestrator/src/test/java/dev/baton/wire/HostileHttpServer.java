package dev.baton.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw HTTP/1.1 peer that misbehaves on purpose, for the adapters' fault tests: it reads the request head and
 * then does whatever its {@link Behaviour} says on the bare socket (answer garbage, hang, drip, flood).
 */
public final class HostileHttpServer implements AutoCloseable {
    public interface Behaviour {
        void serve(String requestHead, OutputStream out) throws IOException, InterruptedException;
    }

    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final HostilePeer peer;

    private HostileHttpServer(Behaviour behaviour) throws IOException {
        this.peer = HostilePeer.tcp(client -> {
            String head = readHead(Channels.newInputStream(client));
            requests.add(head);
            OutputStream out = Channels.newOutputStream(client);
            behaviour.serve(head, out);
            out.flush();
        });
    }

    public static HostileHttpServer start(Behaviour behaviour) throws IOException {
        return new HostileHttpServer(behaviour);
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
        return "http://127.0.0.1:" + port();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        try {
            return peer.port();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request heads received so far (request line and headers). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public int connections() {
        return peer.connections();
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
        peer.close();
    }
}
