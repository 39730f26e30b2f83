package dev.baton.hooks;

import dev.baton.rollout.HookResult;
import dev.baton.rollout.HookRunner;
import dev.baton.store.Redactor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the deploy hooks an admin defined, by name: the program and its arguments exactly as configured (no shell),
 * with a minimal environment (never the server's: no token can be read from it), bounded by the hook's timeout
 * (then the whole process tree is killed), keeping the last 16 KiB of output with every known secret redacted.
 */
public final class CommandHookRunner implements HookRunner {
    static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final int KEEP = 16 * 1024;

    private final DeployHooks hooks;
    private final Redactor redactor;

    public CommandHookRunner(DeployHooks hooks, Redactor redactor) {
        this.hooks = hooks;
        this.redactor = redactor;
    }

    @Override
    public HookResult run(String phase, String name, Map<String, String> env) throws InterruptedException {
        Instant start = Instant.now();
        NamedHook hook = hooks.get(name).orElse(null);
        if (hook == null) {
            return new HookResult(-1, false, Duration.ZERO, "no hook named " + name + " is defined on this orchestrator");
        }
        ProcessBuilder builder = new ProcessBuilder(hook.argv()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", PATH);
        environment.put("LANG", "C.UTF-8");
        env.forEach((key, value) -> {
            if (key.startsWith("BATON_") && !key.contains("TOKEN")) environment.put(key, value);
        });
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new HookResult(-1, false, Duration.between(start, Instant.now()),
                    redactor.redact("cannot start " + hook.argv().get(0) + ": " + e.getMessage()));
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
        return new HookResult(finished ? process.exitValue() : -1, !finished, Duration.between(start, Instant.now()),
                redactor.redact(text));
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
