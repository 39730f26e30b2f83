package dev.baton.hooks;

import dev.baton.plan.Plan;
import dev.baton.rollout.HookResult;
import dev.baton.rollout.HookRunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs deploy hooks with {@code /bin/sh -c} on this machine, bounded by the hook's timeout (then the whole
 * process tree is killed), keeping the last 16 KiB of output.
 */
public final class ShellHookRunner implements HookRunner {
    private static final int KEEP = 16 * 1024;

    @Override
    public HookResult run(String name, Plan.Hook hook, Map<String, String> env) throws InterruptedException {
        Instant start = Instant.now();
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", hook.command()).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().remove("BATON_AGENT_TOKEN");
        builder.environment().remove("BATON_TOKEN");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new HookResult(-1, false, Duration.between(start, Instant.now()), "cannot start /bin/sh: " + e.getMessage());
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> tail(process.getInputStream()));
        boolean finished = process.waitFor(hook.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        String text;
        try {
            text = output.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            text = "";
        }
        return new HookResult(finished ? process.exitValue() : -1, !finished, Duration.between(start, Instant.now()), text);
    }

    private static String tail(InputStream in) {
        byte[] ring = new byte[KEEP];
        long total = 0;
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) ring[(int) ((total + i) % KEEP)] = buffer[i];
                total += n;
            }
        } catch (IOException e) {
            // the process is gone; keep what was read
        }
        if (total <= KEEP) return new String(ring, 0, (int) total, StandardCharsets.UTF_8);
        int from = (int) (total % KEEP);
        byte[] ordered = new byte[KEEP];
        System.arraycopy(ring, from, ordered, 0, KEEP - from);
        System.arraycopy(ring, 0, ordered, KEEP - from, from);
        return "[...truncated] " + new String(ordered, StandardCharsets.UTF_8);
    }
}
