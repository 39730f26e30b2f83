package dev.baton.fleet;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Builds demo-app releases with {@code demo-app/build.sh} and serves them over HTTP on loopback. */
public final class Artifacts implements AutoCloseable {
    /** A release as a plan names it. */
    public record Artifact(String version, String url, String sha256) {
    }

    private final Path dir;
    private final HttpServer server;
    private final java.util.Set<String> builtByThisProcess = new java.util.HashSet<>();

    Artifacts(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring(1);
            Path file = this.dir.resolve(name).normalize();
            if (name.contains("/") || !file.startsWith(this.dir) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        });
        server.start();
    }

    /** {@code -fail5} (or {@code -fail0.5}): that percentage of requests fails; {@code -slow200ms}: every request is that much slower. */
    private static final java.util.regex.Pattern FAILING = java.util.regex.Pattern.compile(".*-fail(\\d{1,2}(?:\\.\\d{1,3})?)");
    private static final java.util.regex.Pattern SLOW = java.util.regex.Pattern.compile(".*-slow(\\d{1,5})ms");

    /**
     * Builds once per process (go's build cache makes it quick; the build is reproducible) and returns the release.
     * Bad releases on purpose, by the version's ending: {@code -broken} never turns healthy; {@code -fail5} fails 5% of
     * requests and {@code -slow200ms} adds 200 ms to each, both while /healthz answers 200.
     */
    synchronized Artifact build(String version) throws IOException, InterruptedException {
        Path tarball = dir.resolve("demo-app-" + version + ".tar.gz");
        Path sum = dir.resolve("demo-app-" + version + ".tar.gz.sha256");
        if (builtByThisProcess.add(version)) {
            Path script = Tools.repo().resolve("demo-app/build.sh");
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(script.toString(), version, dir.toString()));
            java.util.regex.Matcher failing = FAILING.matcher(version);
            java.util.regex.Matcher slow = SLOW.matcher(version);
            if (version.endsWith("-broken")) command.add("broken");
            else if (failing.matches()) command.add("fail-rate=" + new java.math.BigDecimal(failing.group(1)).movePointLeft(2).toPlainString());
            else if (slow.matches()) command.add("extra-latency=" + slow.group(1) + "ms");
            ProcessBuilder build = new ProcessBuilder(command);
            Process process = build.redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException("demo-app/build.sh " + version + " failed (is Go installed? run "
                        + Tools.SETUP + "): " + output.strip());
            }
        }
        String url = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                + "/" + tarball.getFileName();
        return new Artifact(version, url, Files.readString(sum).strip());
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
