package dev.baton.agent.hook;

import dev.baton.agent.AgentHome;
import dev.baton.agent.CleanEnvironment;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a hook command with {@code /bin/sh -c} in the current release (or the home) and waits for it. */
public final class HookRunner {

    private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);
    static final int MAX_OUTPUT_BYTES = 16 * 1024;
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final Duration OUTPUT_GRACE = Duration.ofMillis(500);

    private final AgentHome home;
    private final Map<String, String> agentEnvironment;
    private final HookUser user;

    /**
     * @param agentEnvironment the agent's environment ({@link System#getenv()}); hooks get only PATH, HOME and LANG
     *                         of it (see {@link CleanEnvironment}), never the token or anything else
     * @param user             the user hooks run as, or null for the agent's own user
     */
    public HookRunner(AgentHome home, Map<String, String> agentEnvironment, HookUser user) {
        this.home = home;
        this.agentEnvironment = Map.copyOf(agentEnvironment);
        this.user = user;
    }

    /**
     * Runs the command to its end or its timeout, when its whole process tree is killed.
     *
     * @throws IOException with a one-line message if {@code /bin/sh} cannot be started
     * @throws InterruptedException if the agent stops meanwhile; the command is killed first
     */
    public HookResult run(HookPlan plan) throws IOException, InterruptedException {
        Path dir = Files.isDirectory(home.current()) ? home.current() : home.root();
        List<String> argv = List.of("/bin/sh", "-c", plan.command());
        ProcessBuilder builder = new ProcessBuilder(user == null ? argv : user.wrap(argv))
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        Map<String, String> base = user == null ? agentEnvironment
                : Map.of("PATH", CleanEnvironment.DEFAULT_PATH, "HOME", user.home(),
                        "LANG", agentEnvironment.getOrDefault("LANG", "C.UTF-8"));
        builder.environment().clear();
        builder.environment().putAll(CleanEnvironment.with(base, plan.env()));
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot run /bin/sh in " + dir + ": " + e.getMessage(), e);
        }
        LOG.info("hook {} started: pid {} in {}", plan.name(), process.pid(), dir);
        OutputTail output = OutputTail.start(process.getInputStream(), MAX_OUTPUT_BYTES);
        boolean timedOut;
        try {
            timedOut = !process.waitFor(plan.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (timedOut && !ProcessTree.kill(process.toHandle(), KILL_GRACE)) {
                LOG.warn("hook {}: part of its process tree survived SIGKILL", plan.name());
            }
            process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            output.awaitEnd(OUTPUT_GRACE);
        } catch (InterruptedException e) {
            ProcessTree.killNow(process.toHandle());
            throw e;
        }
        Integer exitCode = process.isAlive() ? null : process.exitValue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        LOG.info("hook {} {} after {}ms", plan.name(), timedOut ? "timed out and was killed" : "exited with " + exitCode,
                millis);
        return new HookResult(plan.name(), exitCode, timedOut, millis, output.text());
    }
}
