package dev.baton.lb;

import dev.baton.rollout.StepFailure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * One exchange with HAProxy's runtime API: connect, send one command, read until HAProxy closes. Non-blocking
 * with a selector, because a UNIX socket channel has no read timeout: every connect, write and read waits at
 * most until the caller's deadline, and the answer may not grow past {@link #MAX_ANSWER}.
 */
final class RuntimeSocket {
    /** {@code show servers state} spends about 150 bytes per server slot; a megabyte is thousands of slots. */
    static final int MAX_ANSWER = 1024 * 1024;

    private final String address;
    private final ProtocolFamily family;
    private final SocketAddress target;

    private RuntimeSocket(String address, ProtocolFamily family, SocketAddress target) {
        this.address = address;
        this.family = family;
        this.target = target;
    }

    /** {@code unix:/path/to/socket} or {@code tcp:host:port}. */
    static RuntimeSocket at(String address) {
        if (address.startsWith("unix:") && address.length() > 5) {
            return new RuntimeSocket(address, StandardProtocolFamily.UNIX, UnixDomainSocketAddress.of(Path.of(address.substring(5))));
        }
        if (address.startsWith("tcp:")) {
            String hostPort = address.substring(4);
            int colon = hostPort.lastIndexOf(':');
            if (colon > 0) {
                try {
                    int port = Integer.parseInt(hostPort.substring(colon + 1));
                    return new RuntimeSocket(address, StandardProtocolFamily.INET,
                            InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port));
                } catch (IllegalArgumentException e) {
                    // reported below
                }
            }
        }
        throw new IllegalArgumentException("HAProxy runtime address " + address + " must be unix:/path or tcp:host:port");
    }

    /**
     * Sends {@code command} and returns the whole answer, or fails at {@code deadline}; {@code budget} names the
     * bound in messages. A {@code tcp:} host name is resolved first, bounded by the system resolver's own timeouts.
     */
    String exchange(String command, Instant deadline, Duration budget) throws StepFailure {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (SocketChannel channel = SocketChannel.open(family); Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, 0);
            if (!channel.connect(resolved())) {
                while (!channel.finishConnect()) await(key, SelectionKey.OP_CONNECT, deadline, "accept the connection", budget, answer);
            }
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) await(key, SelectionKey.OP_WRITE, deadline, "take the command", budget, answer);
            }
            channel.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(16 * 1024);
            while (true) {
                int read = channel.read(in);
                if (read < 0) return answer.toString(StandardCharsets.UTF_8);
                if (read == 0) {
                    await(key, SelectionKey.OP_READ, deadline, "finish answering", budget, answer);
                    continue;
                }
                answer.write(in.array(), 0, in.position());
                in.clear();
                if (answer.size() > MAX_ANSWER) {
                    throw new StepFailure("HAProxy runtime API at " + address + " answered more than " + MAX_ANSWER
                            + " bytes to `" + command + "`; refusing the answer");
                }
            }
        } catch (IOException e) {
            throw new StepFailure("HAProxy runtime API at " + address + " is unreachable: " + e.getMessage(), e);
        }
    }

    private SocketAddress resolved() {
        if (target instanceof InetSocketAddress inet && inet.isUnresolved()) {
            return new InetSocketAddress(inet.getHostString(), inet.getPort());
        }
        return target;
    }

    private void await(SelectionKey key, int op, Instant deadline, String what, Duration budget, ByteArrayOutputStream sofar)
            throws IOException, StepFailure {
        key.interestOps(op);
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new StepFailure("interrupted while waiting for HAProxy runtime API at " + address + " to " + what);
            }
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                throw new StepFailure("HAProxy runtime API at " + address + " did not " + what + " within "
                        + budget.toMillis() + " ms"
                        + (sofar.size() > 0 ? " (" + sofar.size() + " bytes so far)" : ""));
            }
            if (key.selector().select(left) > 0) {
                key.selector().selectedKeys().clear();
                return;
            }
        }
    }
}
