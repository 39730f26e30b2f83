package dev.baton.chaos;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A UNIX socket a plan names as {@code loadBalancer.haproxy.runtime}: it passes every command through to the real
 * HAProxy runtime socket until {@link #arm} turns it hostile (hang, garbage, unknown backend) for every later
 * connection.
 */
public final class FaultyRuntime implements AutoCloseable {
    public enum Mode {
        PASS,
        /** Reads the command and never answers nor closes (until this socket is closed). */
        HANG,
        /** The malformed reply of issue 8: a header and a short row. */
        GARBAGE,
        /** HAProxy's answer for a backend it does not know. */
        UNKNOWN_BACKEND
    }

    private final Path socket;
    private final Path real;
    private final ServerSocketChannel server;
    private final List<SocketChannel> clients = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;

    public FaultyRuntime(Path dir, String name, Path realSocket) throws IOException {
        this.socket = dir.resolve(name + ".sock");
        this.real = realSocket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(this::acceptLoop, "faulty-runtime");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The plan's runtime address. */
    public String address() {
        return "unix:" + socket;
    }

    public void arm(Mode fault) {
        mode = fault;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            clients.add(client);
            Mode now = mode;
            Thread serving = new Thread(() -> {
                try (client) {
                    serve(client, now);
                } catch (IOException | InterruptedException gone) {
                    // the client hung up, or the scenario is over
                } finally {
                    clients.remove(client);
                }
            }, "faulty-runtime-client");
            serving.setDaemon(true);
            serving.start();
        }
    }

    private void serve(SocketChannel client, Mode now) throws IOException, InterruptedException {
        String command = readCommand(client);
        switch (now) {
            case PASS -> pass(client, command);
            case HANG -> {
                while (server.isOpen()) Thread.sleep(100); // until the scenario is over
            }
            case GARBAGE -> write(client, "# be_id be_name\n1 web\n");
            case UNKNOWN_BACKEND -> write(client, "Can't find backend.\n");
        }
    }

    private void pass(SocketChannel client, String command) throws IOException {
        try (SocketChannel haproxy = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            haproxy.connect(UnixDomainSocketAddress.of(real));
            haproxy.write(ByteBuffer.wrap(command.getBytes(StandardCharsets.US_ASCII)));
            haproxy.shutdownOutput();
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            while (haproxy.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) client.write(buffer);
                buffer.clear();
            }
        }
    }

    private static void write(SocketChannel client, String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) client.write(out);
    }

    private static String readCommand(SocketChannel client) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (buffer.hasRemaining()) {
            int read = client.read(buffer);
            if (read < 0 || (buffer.position() > 0 && buffer.get(buffer.position() - 1) == '\n')) break;
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel client : clients) client.close();
        Files.deleteIfExists(socket);
    }
}
