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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on its own loopback address and port in front of one agent: bytes pass both ways until
 * {@link #arm} makes every connection misbehave — the agent's answers dripped one byte at a time, or a huge
 * body (a JSON string of {@link #HUGE_BYTES}) instead of the answer to the next request. Pooled keep-alive
 * connections are hit as well as new ones, and none is closed by the proxy: the fault is slowness or size, not a reset.
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

    /** From now on every answer drips, or every next request gets the huge body: on new and pooled connections alike. */
    public void arm(Mode fault) {
        mode = fault;
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
            daemon("faulty-proxy-client", () -> {
                try {
                    relay(client);
                } finally {
                    sockets.remove(client);
                }
            });
        }
    }

    /**
     * Requests go up as they come, unless the proxy is armed HUGE when one arrives: then it is answered here. Answers
     * come down as they come, or one byte every {@link #DRIP_EVERY_MS} while armed DRIP.
     */
    private void relay(Socket client) throws IOException {
        Socket agent = new Socket();
        sockets.add(agent);
        AtomicBoolean hijacked = new AtomicBoolean();
        try {
            agent.connect(upstream, 2000);
            daemon("faulty-proxy-down", () -> {
                try {
                    down(agent.getInputStream(), client.getOutputStream());
                } finally {
                    if (!hijacked.get()) closeQuietly(client);
                }
            });
            InputStream in = client.getInputStream();
            OutputStream up = agent.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (mode == Mode.HUGE) {
                    hijacked.set(true);
                    closeQuietly(agent);
                    huge(in, client.getOutputStream());
                    return;
                }
                up.write(buffer, 0, read);
                up.flush();
            }
        } finally {
            closeQuietly(agent);
            closeQuietly(client);
            sockets.remove(agent);
        }
    }

    private void down(InputStream in, OutputStream out) throws IOException, InterruptedException {
        byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            if (mode == Mode.DRIP) {
                for (int i = 0; i < read; i++) {
                    out.write(buffer[i]);
                    out.flush();
                    Thread.sleep(DRIP_EVERY_MS);
                }
            } else {
                out.write(buffer, 0, read);
                out.flush();
            }
        }
    }

    /** Answers 200 with a body that goes on for half a gigabyte, reading (and dropping) whatever else the client sends. */
    private static void huge(InputStream in, OutputStream out) throws IOException {
        daemon("faulty-proxy-drain", () -> in.transferTo(OutputStream.nullOutputStream()));
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
