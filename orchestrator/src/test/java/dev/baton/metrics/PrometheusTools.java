package dev.baton.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Prometheus and promtool from the Debian package bin/setup installs; a test without them fails, never skips. */
final class PrometheusTools {
    private PrometheusTools() {
    }

    static Path find(String name) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin").split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new AssertionError(name + " not found: run bin/setup (it installs the Debian package prometheus)");
    }

    record Checked(int exit, String output) {
    }

    /** {@code promtool check metrics} on a scrape: its exit code and what it said. */
    static Checked checkMetrics(String scrape) throws IOException, InterruptedException {
        Path out = Files.createTempFile("baton-promtool-", ".txt");
        try {
            Process p = new ProcessBuilder(List.of(find("promtool").toString(), "check", "metrics"))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try (var in = p.getOutputStream()) {
                in.write(scrape.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("promtool check metrics did not finish in 30 s");
            }
            return new Checked(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
