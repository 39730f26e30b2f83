package dev.baton.wire;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A listening socket (TCP on loopback or UNIX) that hands each connection to a handler on its own daemon thread. */
public final class HostilePeer implements AutoCloseable {
    public interface Handler {
        void serve(SocketChannel client) throws IOException, InterruptedException;
    }

    private final ServerSocketChannel server;
    private final Path unixSocket;
    private final List<SocketChannel> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private HostilePeer(ServerSocketChannel server, Path unixSocket, Handler handler) {
        this.server = server;
        this.unixSocket = unixSocket;
        Thread acceptor = new Thread(() -> acceptLoop(handler), "hostile-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static HostilePeer tcp(Handler handler) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 50);
        return new HostilePeer(server, null, handler);
    }

    public static HostilePeer unix(Handler handler) throws IOException {
        Path socket = Files.createTempDirectory("baton-hostile-").resolve("peer.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new HostilePeer(server, socket, handler);
    }

    /** The TCP port; only for {@link #tcp}. */
    public int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** The socket file; only for {@link #unix}. */
    public Path unixSocket() {
        return unixSocket;
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop(Handler handler) {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            clients.add(client);
            Thread serving = new Thread(() -> {
                try (client) {
                    handler.serve(client);
                } catch (IOException | InterruptedException gone) {
                    // the client hung up, or the test is over
                }
            }, "hostile-peer-client");
            serving.setDaemon(true);
            serving.start();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel client : clients) client.close();
        if (unixSocket != null) {
            Files.deleteIfExists(unixSocket);
            Files.deleteIfExists(unixSocket.getParent());
        }
    }
}
