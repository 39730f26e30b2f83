package dev.baton.rollout;

import java.time.Duration;

/** How a hook command ended; {@code output} is its last lines (stdout and stderr). */
public record HookResult(int exitCode, boolean timedOut, Duration took, String output) {
    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }

    public String describe() {
        String how = timedOut ? "timed out" : "exit " + exitCode;
        String tail = output == null ? "" : output.strip();
        if (tail.length() > 500) tail = "..." + tail.substring(tail.length() - 500);
        return how + (tail.isEmpty() ? "" : ": " + tail.replace('\n', ' '));
    }
}
