package dev.baton.agent.hook;

/**
 * How a hook ended. A failing command is a result, not an error: the orchestrator decides what it means.
 * {@code exitCode} is 128 + the signal for a killed command, and null only if it could not be reaped.
 */
public record HookResult(String name, Integer exitCode, boolean timedOut, long durationMs, String output) {
}
