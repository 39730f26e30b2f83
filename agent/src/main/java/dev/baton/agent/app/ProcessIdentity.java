package dev.baton.agent.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What tells one process from another that later gets the same pid: its start time in clock ticks since boot
 * ({@code /proc/<pid>/stat} field 22) and its executable ({@code /proc/<pid>/exe}).
 */
public record ProcessIdentity(long pid, long startTicks, String exe) {

    /** Empty if the process is gone or its /proc entries cannot be read. */
    public static Optional<ProcessIdentity> of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
            // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long startTicks = Long.parseLong(fields[22 - 3]);
            String exe = Files.readSymbolicLink(proc.resolve("exe")).toString();
            return Optional.of(new ProcessIdentity(pid, startTicks, exe));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The form kept in the agent's record file: "pid startTicks exe". */
    String line() {
        return pid + " " + startTicks + " " + exe;
    }

    static Optional<ProcessIdentity> parse(String line) {
        String[] parts = line.strip().split(" ", 3);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcessIdentity(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
