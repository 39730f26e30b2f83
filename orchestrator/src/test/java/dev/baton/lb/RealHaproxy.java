package dev.baton.lb;

import dev.baton.fleet.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real HAProxy on loopback with one static backend {@code app} (one enabled server, one disabled) and an admin socket. */
final class RealHaproxy implements AutoCloseable {
    private final Process process;
    private final Path dir;

    private RealHaproxy(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    static RealHaproxy start(String upServer, String disabledServer) throws IOException, InterruptedException {
        Path haproxy = Tools.haproxy();
        Path dir = Files.createTempDirectory("baton-haproxy-");
        String config = """
                global
                    stats socket %s mode 600 level admin
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 5s
                    timeout server 5s
                backend app
                    server s1 %s
                    server s2 %s disabled
                """.formatted(dir.resolve("admin.sock"), upServer, disabledServer);
        Files.writeString(dir.resolve("haproxy.cfg"), config);
        Process process = new ProcessBuilder(haproxy.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        RealHaproxy started = new RealHaproxy(process, dir);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(dir.resolve("admin.sock"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                started.close();
                throw new IllegalStateException("HAProxy did not start: " + Files.readString(dir.resolve("haproxy.log")));
            }
            Thread.sleep(20);
        }
        return started;
    }

    String runtimeAddress() {
        return "unix:" + dir.resolve("admin.sock");
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String file : List.of("admin.sock", "haproxy.cfg", "haproxy.log")) Files.deleteIfExists(dir.resolve(file));
        Files.deleteIfExists(dir);
    }
}
