package dev.baton.lb;

import dev.baton.wire.HostilePeer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** A stand-in for HAProxy's runtime socket that misbehaves on purpose: each connection gets one behaviour. */
final class HostileRuntimeSocket implements AutoCloseable {
    private final HostilePeer peer;
    private final String address;

    private HostileRuntimeSocket(HostilePeer peer, String address) {
        this.peer = peer;
        this.address = address;
    }

    static HostileRuntimeSocket unix(HostilePeer.Handler behaviour) throws IOException {
        HostilePeer peer = HostilePeer.unix(behaviour);
        return new HostileRuntimeSocket(peer, "unix:" + peer.unixSocket());
    }

    static HostileRuntimeSocket tcp(HostilePeer.Handler behaviour) throws IOException {
        HostilePeer peer = HostilePeer.tcp(behaviour);
        return new HostileRuntimeSocket(peer, "tcp:127.0.0.1:" + peer.port());
    }

    /** Reads the command line, then answers {@code text} and closes. */
    static HostilePeer.Handler answering(String text) {
        return client -> {
            readCommand(client);
            client.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        };
    }

    /** Accepts, reads the command and never answers nor closes. */
    static HostilePeer.Handler hanging() {
        return client -> {
            readCommand(client);
            Thread.sleep(Long.MAX_VALUE);
        };
    }

    /** Starts a plausible answer, then sends one more byte every {@code everyMillis}, forever. */
    static HostilePeer.Handler dripping(long everyMillis) {
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
    static HostilePeer.Handler flooding() {
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

    @Override
    public void close() throws IOException {
        peer.close();
    }
}
