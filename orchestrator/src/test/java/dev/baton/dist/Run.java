package dev.baton.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end, bounded, and keeps its exit code and output. */
record Run(List<String> command, int exit, String stdout, String stderr) {
    static final String SETUP = "bin/setup";

    static Run of(Path dir, Map<String, String> env, long timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("baton-dist-out", ".txt");
        Path err = Files.createTempFile("baton-dist-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeoutSeconds + " s");
            }
            return new Run(List.of(command), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Run of(Path dir, String... command) throws IOException, InterruptedException {
        return of(dir, Map.of(), 120, command);
    }

    /** The path of a program on PATH (or in /usr/sbin, /sbin); fails, naming the set-up command, when it is missing. */
    static Path require(String program, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new AssertionError(program + " is not installed (Debian package " + debianPackage + "): run " + SETUP
                + " first");
    }

    /** For assertion messages. */
    String describe() {
        return String.join(" ", command) + " exited " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
