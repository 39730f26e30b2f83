package dev.baton.agent.app;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Waits for a pid to exit, and kills it once the drain timeout is over: the same end for every strategy. */
final class ProcessExit {

    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private ProcessExit() {
    }

    /** Waits up to {@code timeout} from {@code startNanos}; then SIGKILLs the process (the same one: the handle checks its start time). */
    static String awaitOrKill(long pid, Optional<ProcessHandle> handle, long startNanos, Duration timeout)
            throws IOException, InterruptedException {
        Duration left = timeout.minusNanos(System.nanoTime() - startNanos);
        if (Pids.waitForExit(pid, left.isNegative() ? Duration.ZERO : left)) {
            return "exited after " + elapsedSince(startNanos);
        }
        handle.ifPresent(ProcessHandle::destroyForcibly);
        if (!Pids.waitForExit(pid, KILL_WAIT)) {
            throw new IOException("pid " + pid + " still running " + KILL_WAIT.toSeconds() + "s after SIGKILL");
        }
        return "killed after drain timeout " + seconds(timeout);
    }

    static String elapsedSince(long startNanos) {
        return String.format(Locale.ROOT, "%.2fs", (System.nanoTime() - startNanos) / 1e9);
    }

    static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.2fs", millis / 1000.0);
    }
}
