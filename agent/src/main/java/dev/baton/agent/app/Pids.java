package dev.baton.agent.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Liveness and signals for processes known only by pid: after a hot restart the app is no longer the agent's child,
 * so {@link Process} objects cannot be relied on.
 */
public final class Pids {

    private static final long POLL_MILLIS = 50;

    private Pids() {
    }

    public static boolean isAlive(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && handle.get().isAlive() && !isZombie(pid);
    }

    /** Polls until the pid is gone; returns false if it still runs when the timeout expires. */
    public static boolean waitForExit(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive(pid)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /** SIGTERM. */
    public static void terminate(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }

    /** SIGKILL. */
    public static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** The hand-off signal, which the app takes as "hand your listener to a fresh copy of yourself". The JDK cannot send it. */
    public static void signal(long pid, HandoffSignal signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal.name(), Long.toString(pid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!kill.waitFor(5, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal.name() + " " + pid + " did not finish within 5s");
        }
        if (kill.exitValue() != 0) {
            throw new IOException("kill -" + signal.name() + " " + pid + " failed with exit code " + kill.exitValue());
        }
    }

    /**
     * An exited process that nobody reaps (an adopted app whose parent is a non-reaping init) still looks alive to
     * the JDK; its state in /proc tells the truth.
     */
    private static boolean isZombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = Files.readString(stat, StandardCharsets.UTF_8);
            int end = text.lastIndexOf(')');
            if (end < 0 || end + 2 >= text.length()) {
                return false;
            }
            char state = text.charAt(end + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
