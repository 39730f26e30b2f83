package dev.baton.lb;

import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.concurrent.atomic.AtomicInteger;

/** A stand-in for HAProxy's runtime socket that misbehaves on purpose: each connection gets {@code behaviour}. */
final class HostileRuntimeSocket implements AutoCloseable {
    interface Behaviour {
        void serve(SocketChannel client) throws IOException, InterruptedException;
    }

    private final ServerSocketChannel server;
    private final String address;
    private final Path dir;
    private final List<SocketChannel> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    private HostileRuntimeSocket(ServerSocketChannel server, String address, Path dir, Behaviour behaviour) {
        this.server = server;
        this.address = address;
        this.dir = dir;
        this.acceptor = new Thread(() -> acceptLoop(behaviour), "hostile-runtime-socket");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static HostileRuntimeSocket unix(Behaviour behaviour) throws IOException {
        Path dir = Files.createTempDirectory("hostile-haproxy-");
        Path socket = dir.resolve("admin.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new HostileRuntimeSocket(server, "unix:" + socket, dir, behaviour);
    }

    static HostileRuntimeSocket tcp(Behaviour behaviour) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        return new HostileRuntimeSocket(server, "tcp:127.0.0.1:" + port, null, behaviour);
    }

    /** Reads the command line, then answers {@code text} and closes. */
    static Behaviour answering(String text) {
        return client -> {
            readCommand(client);
            client.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        };
    }

    /** Accepts, reads the command and never answers nor closes. */
    static Behaviour hanging() {
        return client -> {
            readCommand(client);
            Thread.sleep(Long.MAX_VALUE);
        };
    }

    /** Starts a plausible answer, then sends one more byte every {@code everyMillis}, forever. */
    static Behaviour dripping(long everyMillis) {
        return client -> {
            readCommand(client);
            client.write(ByteBuffer.wrap("1\n# be_id be_name".getBytes(StandardCharsets.US_ASCII)));
            while (true) {
                Thread.sleep(everyMillis);
                client.write(ByteBuffer.wrap(new byte[]{' '}));
            }
        };
    }

    /** An answer that never ends, as fast as the client reads. */
    static Behaviour flooding() {
        return client -> {
            readCommand(client);
            byte[] line = "3 app 1 web1 127.0.0.1 2 0 1 1 6 15 3 1 6 0 0 0 - 8080 - 0 0 - - 0\n".getBytes(StandardCharsets.US_ASCII);
            while (true) client.write(ByteBuffer.wrap(line));
        };
    }

    private static void readCommand(SocketChannel client) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        while (client.read(buffer) > 0 && buffer.get(buffer.position() - 1) != '\n') {
            // until the end of the command line
        }
    }

    String address() {
        return address;
    }

    int connections() {
        return connections.get();
    }

    private void acceptLoop(Behaviour behaviour) {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            clients.add(client);
            Thread handler = new Thread(() -> {
                try (client) {
                    behaviour.serve(client);
                } catch (IOException | InterruptedException gone) {
                    // the client hung up, or the test is over
                }
            }, "hostile-runtime-client");
            handler.setDaemon(true);
            handler.start();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel client : clients) client.close();
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("admin.sock"));
            Files.deleteIfExists(dir);
        }
    }
}
