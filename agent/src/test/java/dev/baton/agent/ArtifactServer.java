package dev.baton.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/** Serves the files of a directory on 127.0.0.1; paths under {@code /slow/} answer after a delay. */
final class ArtifactServer implements AutoCloseable {

    static final long SLOW_MILLIS = 2_000;

    private final Path dir;
    private final HttpServer server;

    ArtifactServer(Path dir) throws IOException {
        this.dir = dir;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "artifact-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", this::serve);
        server.start();
    }

    String url(String fileName) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + fileName;
    }

    String slowUrl(String fileName) {
        return url("slow/" + fileName);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String name = exchange.getRequestURI().getPath().substring(1);
            if (name.startsWith("slow/")) {
                name = name.substring("slow/".length());
                sleep(SLOW_MILLIS);
            }
            Path file = dir.resolve(name).normalize();
            if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
