package dev.baton.notify;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on loopback (the JDK's server): answers {@code failStatus} to the first {@code failFirst}
 * requests, then {@code 200}; records every request it got.
 */
public final class WebhookReceiver implements AutoCloseable {
    public record Received(Instant at, String path, String signature, String event, String delivery, byte[] body, int answered) {
        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger failLeft;
    private volatile int failStatus;
    private volatile String redirectTo;
    private volatile long hangMillis;

    public WebhookReceiver(int failFirst, int failStatus) throws IOException {
        this.failLeft = new AtomicInteger(failFirst);
        this.failStatus = failStatus;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (hangMillis > 0) {
                try {
                    Thread.sleep(hangMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = failLeft.getAndDecrement() > 0 ? this.failStatus : 200;
            if (redirectTo != null) {
                exchange.getResponseHeaders().add("Location", redirectTo);
                status = 302;
            }
            synchronized (received) {
                received.add(new Received(Instant.now(), exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders().getFirst("X-Baton-Signature"),
                        exchange.getRequestHeaders().getFirst("X-Baton-Event"),
                        exchange.getRequestHeaders().getFirst("X-Baton-Delivery"), body, status));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** From now on, answer every request with this status. */
    public void failAll(int status) {
        failStatus = status;
        failLeft.set(Integer.MAX_VALUE);
    }

    public void succeed() {
        failLeft.set(0);
    }

    /** Hold every request this long before answering. */
    public void hang(java.time.Duration time) {
        hangMillis = time.toMillis();
    }

    public void redirectTo(String location) {
        redirectTo = location;
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
