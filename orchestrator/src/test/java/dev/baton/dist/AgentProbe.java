package dev.baton.dist;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Starts the packaged agent with a command line under test, proves it serves with the token, and stops it. */
final class AgentProbe {
    private AgentProbe() {
    }

    /**
     * Runs {@code argv} with exactly {@code env} (plus PATH and JAVA_HOME from the test), waits until
     * {@code GET /v1/status} on {@code port} answers 200 to the token and 401 without it, checks the token is on no
     * command line, then stops the agent with SIGTERM (as systemd and Docker do) and returns its exit status. Its
     * output goes next to {@code home}; a failure shows it.
     */
    static int serves(Path distRoot, List<String> argv, Map<String, String> env, int port, String token, Path home)
            throws Exception {
        assertThat(argv).doesNotContain(token);
        Path log = home.resolveSibling(home.getFileName() + ".log");
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        if (System.getenv("JAVA_HOME") != null) builder.environment().put("JAVA_HOME", System.getenv("JAVA_HOME"));
        builder.environment().putAll(env);
        Process agent = builder.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI status = URI.create("http://127.0.0.1:" + port + "/v1/status");
            try {
                await("the agent answering on port " + port).atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(250))
                        .failFast("the agent exited", () -> !agent.isAlive())
                        .ignoreExceptions()
                        .until(() -> http.send(HttpRequest.newBuilder(status).header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
                throw new AssertionError(e.getMessage() + "; " + String.join(" ", argv) + "\n--- agent output\n"
                        + Files.readString(log), e);
            }
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as("the token guards the API").isEqualTo(401);
            String cmdline = Files.readString(Path.of("/proc", Long.toString(agent.pid()), "cmdline"), StandardCharsets.UTF_8);
            assertThat(cmdline).as("the launcher exec'd java with the packaged jar")
                    .contains(distRoot + "/lib/baton-agent.jar").doesNotContain(token);
            assertThat(Files.isDirectory(home.resolve("releases"))).as("the agent prepared its home").isTrue();
        } finally {
            agent.destroy();
            if (!agent.waitFor(30, TimeUnit.SECONDS)) agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return agent.exitValue();
    }
}
