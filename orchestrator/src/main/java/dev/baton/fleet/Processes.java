package dev.baton.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts each fleet process in its own session (so that the app it spawns, and that app's hand-off
 * successor, share its process group) and stops whole groups. Records the groups in a file so that a
 * later run can clean up after a run that was killed before it could.
 */
final class Processes {
    private static final Path REGISTRY = Tools.cache().resolve("fleets");

    private final List<Long> groups = new ArrayList<>();
    private final Path record;

    Processes(String fleetId) throws IOException {
        Files.createDirectories(REGISTRY);
        record = REGISTRY.resolve(fleetId + ".pids");
        reapOrphans();
    }

    Process start(List<String> command, Path log) throws IOException {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        full.addAll(command);
        Process process = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        synchronized (groups) {
            groups.add(process.pid());
            save();
        }
        return process;
    }

    void stopAll() {
        List<Long> all;
        synchronized (groups) {
            all = List.copyOf(groups);
        }
        for (long group : all) signal("TERM", group);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (long group : all) {
            ProcessHandle.of(group).ifPresent(p -> {
                try {
                    p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (Exception timeout) {
                    // killed below
                }
            });
        }
        for (long group : all) signal("KILL", group);
        try {
            Files.deleteIfExists(record);
        } catch (IOException ignored) {
            // a stale record only causes a harmless kill of dead groups later
        }
    }

    private static void signal(String signal, long group) {
        signal(signal, group, true);
    }

    /** Sends {@code signal} to a process group, or to one process when {@code group} is false. */
    static void signal(String signal, long pid, boolean group) {
        try {
            new ProcessBuilder("kill", "-" + signal, "--", (group ? "-" : "") + pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void save() {
        StringBuilder text = new StringBuilder().append(ProcessHandle.current().pid()).append('\n');
        groups.forEach(g -> text.append(g).append('\n'));
        try {
            Files.writeString(record, text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + record + ": " + e.getMessage(), e);
        }
    }

    /** Kills the process groups of earlier fleets whose owner is gone. */
    private static void reapOrphans() throws IOException {
        try (var files = Files.list(REGISTRY)) {
            for (Path file : files.toList()) {
                List<String> lines = Files.readAllLines(file);
                if (lines.isEmpty()) continue;
                long owner = Long.parseLong(lines.get(0).trim());
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) continue;
                lines.stream().skip(1).filter(l -> !l.isBlank()).forEach(l -> signal("KILL", Long.parseLong(l.trim())));
                Files.deleteIfExists(file);
            }
        } catch (NumberFormatException e) {
            // an unreadable record is skipped
        }
    }
}
