package dev.baton.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code baton server} in a JVM of its own (the test classpath), for tests that kill it. */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("baton server listening on (http://\\S+)");

    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<String> url = new CompletableFuture<>();

    private ServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "server-output");
        reader.setDaemon(true);
        reader.start();
    }

    public static ServerProcess start(String consul, Path tokensFile, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"),
                "dev.baton.cli.BatonMain", "server", "--listen", "127.0.0.1:0", "--consul", consul,
                "--tokens-file", tokensFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("BATON_AGENT_TOKEN");
        builder.environment().putAll(env);
        ServerProcess server = new ServerProcess(builder.start());
        try {
            server.url.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.close();
            throw new AssertionError("the server did not start: " + String.join("\n", server.output), e);
        }
        return server;
    }

    public String url() {
        return url.getNow(null);
    }

    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** SIGKILL: no shutdown hook, nothing put back: a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                System.out.println("[server] " + line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) url.complete(m.group(1));
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            url.completeExceptionally(new IOException("the server exited"));
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(100).toSeconds(), TimeUnit.SECONDS)) kill();
    }
}
