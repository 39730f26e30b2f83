package dev.baton.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on its own loopback address and port in front of one agent: bytes pass both ways until
 * {@link #arm} makes every connection misbehave — the agent's answers dripped one byte at a time, or a huge
 * body (a JSON string that never ends, up to {@link #HUGE_BYTES}) instead of any answer. Arming drops the
 * connections open so far, so that a pooled keep-alive connection cannot slip past the fault.
 */
public final class FaultyProxy implements AutoCloseable {
    public enum Mode { PASS, DRIP, HUGE }

    static final long HUGE_BYTES = 512L * 1024 * 1024;
    private static final long DRIP_EVERY_MS = 250;

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;

    public FaultyProxy(String listenIp, int listenPort, String upstreamIp, int upstreamPort) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(listenIp, listenPort), 50);
        upstream = new InetSocketAddress(upstreamIp, upstreamPort);
        Thread acceptor = new Thread(this::acceptLoop, "faulty-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public void arm(Mode fault) {
        mode = fault;
        for (Socket socket : sockets) closeQuietly(socket);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(client);
            Mode now = mode;
            daemon("faulty-proxy-client", () -> {
                try {
                    if (now == Mode.HUGE) huge(client);
                    else relay(client, now);
                } catch (IOException | InterruptedException gone) {
                    // either side hung up, or the scenario is over
                } finally {
                    closeQuietly(client);
                    sockets.remove(client);
                }
            });
        }
    }

    private void relay(Socket client, Mode now) throws IOException, InterruptedException {
        Socket agent = new Socket();
        sockets.add(agent);
        try {
            agent.connect(upstream, 2000);
            daemon("faulty-proxy-up", () -> {
                try {
                    copy(client.getInputStream(), agent.getOutputStream(), false);
                } catch (IOException | InterruptedException gone) {
                    closeQuietly(agent);
                }
            });
            copy(agent.getInputStream(), client.getOutputStream(), now == Mode.DRIP);
        } finally {
            closeQuietly(agent);
            sockets.remove(agent);
        }
    }

    private static void copy(InputStream in, OutputStream out, boolean drip) throws IOException, InterruptedException {
        byte[] buffer = new byte[drip ? 1 : 16 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            out.write(buffer, 0, read);
            out.flush();
            if (drip) Thread.sleep(DRIP_EVERY_MS);
        }
    }

    /** Waits for the request's first bytes, then answers 200 with a body that goes on for half a gigabyte. */
    private static void huge(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        if (in.read(new byte[8192]) < 0) return;
        daemon("faulty-proxy-drain", () -> {
            try {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException gone) {
                // closed
            }
        });
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + (HUGE_BYTES + 2)
                + "\r\n\r\n\"").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (long sent = 0; sent < HUGE_BYTES; sent += chunk.length) out.write(chunk);
        out.write("\"".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private interface Body {
        void run() throws IOException, InterruptedException;
    }

    private static void daemon(String name, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (IOException | InterruptedException gone) {
                // the connection ended
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) closeQuietly(socket);
    }
}
