package dev.baton.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's runit supervising one service directory, as an operator's host would: {@code runsv DIR} with a
 * {@code run} script, driven through {@code sv}. {@link #close()} takes the service down and ends runsv.
 */
public final class Runsv implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final Processes processes;

    private Runsv(Path dir, Processes processes) {
        this.dir = dir;
        this.processes = processes;
    }

    /**
     * Starts runsv on {@code dir} with a run script that execs {@code command} (a sh command line, output to
     * {@code dir/output}; runit reserves {@code log} for a log service); {@code down} leaves the service down until {@code sv up}.
     */
    public static Runsv start(Path dir, String command, boolean down) throws IOException, InterruptedException {
        Path runsv = require("runsv");
        require("sv");
        Files.createDirectories(dir);
        Path run = dir.resolve("run");
        Files.writeString(run, "#!/bin/sh\nexec >>" + dir.resolve("output") + " 2>&1\nexec " + command + "\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (down) Files.writeString(dir.resolve("down"), "");
        Processes processes = new Processes("runsv-" + dir.getFileName() + "-" + System.nanoTime());
        Runsv service = new Runsv(dir, processes);
        processes.start(List.of(runsv.toString(), dir.toString()), dir.resolve("runsv.log"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(dir.resolve("supervise/ok"))) {
            if (System.nanoTime() > deadline) {
                service.close();
                throw new IOException("runsv " + dir + " did not start within 10s (log " + dir.resolve("runsv.log") + ")");
            }
            Thread.sleep(20);
        }
        return service;
    }

    public Path dir() {
        return dir;
    }

    /** {@code sv ARGS DIR}'s output; a non-zero exit is an IOException with it. */
    public String sv(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(require("sv").toString()));
        command.addAll(List.of(args));
        command.add(dir.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
        return output.strip();
    }

    /** The pid runsv's child runs as, or 0 when it is down. */
    public long pid() throws IOException, InterruptedException {
        java.util.regex.Matcher run = java.util.regex.Pattern.compile("^run: [^(]*\\(pid (\\d+)\\)").matcher(sv("status"));
        return run.find() ? Long.parseLong(run.group(1)) : 0;
    }

    private static Path require(String program) {
        for (Path candidate : List.of(Path.of("/usr/bin", program), Path.of("/usr/sbin", program), Path.of("/sbin", program))) {
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new IllegalStateException(program + " is missing (Debian package runit): run " + Tools.SETUP + " first");
    }

    @Override
    public void close() {
        try {
            sv("-w", "30", "down");
            sv("exit");
        } catch (IOException | RuntimeException e) {
            // runsv may already be gone; its process group is stopped below either way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processes.stopAll();
    }
}
