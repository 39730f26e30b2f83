package dev.baton.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time (user + system, from /proc) used so far by the Chromium renderer and GPU processes of this machine: the
 * benchmark's browser is the only Chromium the benchmark runs. Zero where there is no /proc.
 */
final class ChromiumCpu {
    /** CPU time in ms, by kind of process. */
    record Used(long rendererMs, long gpuMs) {
        Used since(Used start) {
            return new Used(rendererMs - start.rendererMs, gpuMs - start.gpuMs);
        }
    }

    private static final long TICK_MS = 10; // USER_HZ is 100 on Linux

    private ChromiumCpu() {
    }

    static Used now() {
        long renderer = 0, gpu = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String cmdline = read(proc.resolve("cmdline"));
                if (!cmdline.contains("chromium")) continue;
                long ms = cpuMs(read(proc.resolve("stat")));
                if (cmdline.contains("--type=renderer")) renderer += ms;
                else if (cmdline.contains("--type=gpu-process")) gpu += ms;
            }
        } catch (IOException noProc) {
            // not Linux: no figures
        }
        return new Used(renderer, gpu);
    }

    private static long cpuMs(String stat) {
        if (stat.isEmpty()) return 0;
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // after the command name, which may hold spaces
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_MS; // utime, stime (fields 14, 15 of stat)
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException gone) {
            return ""; // the process ended meanwhile
        }
    }
}
