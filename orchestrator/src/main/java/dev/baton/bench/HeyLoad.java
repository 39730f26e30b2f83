package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Steady load from {@code hey} (Debian package hey) at a fixed rate: {@code workers} × {@code perWorkerQps}
 * requests per second, bounded by {@code maxSeconds}; stopped early with SIGINT, on which hey prints its report.
 */
public final class HeyLoad implements AutoCloseable {
    /** What hey reported. Failures are non-2xx answers plus connection-level errors. */
    public record Report(long requests, long failed, double p50Ms, double p99Ms, String errors) {
    }

    private static final Pattern STATUS = Pattern.compile("\\[(\\d{3})]\\s+(\\d+) responses");
    private static final Pattern ERROR = Pattern.compile("^\\s+\\[(\\d+)]\\s+(.*)$", Pattern.MULTILINE);
    private static final Pattern PERCENTILE = Pattern.compile("(\\d+)%% in ([0-9.]+) secs".replace("%%", "%"));

    private final Process process;
    private final Path output;

    public HeyLoad(String url, int workers, int perWorkerQps, int maxSeconds, Path output) throws IOException {
        this.output = output;
        process = new ProcessBuilder("hey", "-z", maxSeconds + "s", "-c", Integer.toString(workers),
                "-q", Integer.toString(perWorkerQps), "-t", "10", url)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    public Report stop() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        return await();
    }

    public Report await() throws IOException, InterruptedException {
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("hey did not finish");
        }
        return parse(Files.readString(output));
    }

    static Report parse(String text) {
        long ok = 0;
        long failed = 0;
        Matcher status = STATUS.matcher(text);
        while (status.find()) {
            long count = Long.parseLong(status.group(2));
            if (status.group(1).startsWith("2")) ok += count;
            else failed += count;
        }
        StringBuilder errors = new StringBuilder();
        int at = text.indexOf("Error distribution:");
        if (at >= 0) {
            Matcher error = ERROR.matcher(text.substring(at));
            while (error.find()) {
                failed += Long.parseLong(error.group(1));
                if (errors.length() < 300) errors.append(error.group(1)).append("x ").append(error.group(2).strip()).append("; ");
            }
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(text);
        while (percentile.find()) {
            double ms = Double.parseDouble(percentile.group(2)) * 1000;
            if (percentile.group(1).equals("50")) p50 = ms;
            if (percentile.group(1).equals("99")) p99 = ms;
        }
        return new Report(ok + failed, failed, p50, p99, errors.toString());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
