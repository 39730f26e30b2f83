package dev.baton.agent.app;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one supervisor command (systemctl, sv, supervisorctl, an operator's script) as an argv, never through a
 * shell, with a clean environment, bounded in time. Output goes to a temporary file rather than a pipe: a start
 * command that leaves a background process behind would hold a pipe open, never a file.
 */
public final class ControlCommand {

    /** {@code output} is the last {@link #OUTPUT_LIMIT} characters, trimmed. */
    public record Result(List<String> argv, int exitCode, String output, Duration took) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** "sv up /srv/app exited 1: fail: ... ", for phase details and errors. */
        public String describe() {
            String text = "'" + String.join(" ", argv) + "' exited " + exitCode;
            return output.isEmpty() ? text : text + ": " + output.replaceAll("\\s+", " ");
        }
    }

    /** The command ran past its time and was killed; unlike a command that could not run, it may have done its part. */
    public static final class TimedOut extends IOException {
        TimedOut(String message) {
            super(message);
        }
    }

    static final int OUTPUT_LIMIT = 2_000;

    private final Map<String, String> environment;

    /** @param environment the command's whole environment (see {@link dev.baton.agent.CleanEnvironment}) */
    public ControlCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /**
     * @param extraEnv added on top, e.g. BATON_VERSION; request values reach commands only this way
     * @throws IOException if the program cannot be run or does not finish within {@code timeout} (it is then killed)
     */
    public Result run(List<String> argv, Map<String, String> extraEnv, Duration timeout)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("baton-control", ".out");
        long started = System.nanoTime();
        try {
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            builder.environment().putAll(extraEnv);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IOException("cannot run '" + String.join(" ", argv) + "': " + e.getMessage());
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new TimedOut("'" + String.join(" ", argv) + "' did not finish within "
                        + ProcessExit.seconds(timeout) + "; killed it");
            }
            return new Result(List.copyOf(argv), process.exitValue(), tail(output),
                    Duration.ofNanos(System.nanoTime() - started));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String tail(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        return text.length() <= OUTPUT_LIMIT ? text : text.substring(text.length() - OUTPUT_LIMIT);
    }
}
