package dev.baton.ssh;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;
import dev.baton.rollout.HookResult;
import dev.baton.rollout.HostControl;
import dev.baton.rollout.Instance;
import dev.baton.rollout.RestartOrder;
import dev.baton.rollout.RestartReport;
import dev.baton.rollout.StepFailure;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Agentless hosts: Baton does over SSH what the agent does locally. Releases live side by side in
 * {@code root/releases/<version>}, {@code root/current} points at the running one. Every value reaches the host
 * only as a quoted shell variable ({@link RemoteScript}), every command is bounded, and a restart reports the
 * agent's phases: fetch, drain, switch, start, ready.
 */
public final class SshHostControl implements HostControl {
    /** Fetching and verifying a release; curl's own --max-time is this too. */
    static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);
    /** Quick bookkeeping commands (switch, detached start, pid). */
    static final Duration QUICK = Duration.ofSeconds(15);
    /** On top of a bound the host enforces itself, for the answer to come back. */
    static final Duration MARGIN = Duration.ofSeconds(10);
    /** A path segment: no slash, not . or .., so releases/<version> stays inside releases/. */
    private static final Pattern SAFE_VERSION = Pattern.compile("(?!\\.)[^/\\x00]{1,128}");
    private static final Pattern KEY_VALUE = Pattern.compile("(?m)^(\\w+) ?(.*)$");

    private final SshConnector connector;
    private final Plan.SshApp app;
    private final boolean allowHooks;
    private final String service;

    public SshHostControl(SshConnector connector, Plan.SshApp app, boolean allowHooks, String service) {
        this.connector = connector;
        this.app = app;
        this.allowHooks = allowHooks;
        this.service = service;
    }

    @Override
    public void prepare(Instance host, RestartOrder order) throws StepFailure, InterruptedException {
        if (order.artifactUrl() == null) return;
        try (SshSession ssh = connector.open(host.address())) {
            fetch(ssh, host, order);
        }
    }

    @Override
    public RestartReport restart(Instance host, RestartOrder order, Duration timeout) throws StepFailure, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RestartPhases phases = new RestartPhases(host.address());
        try (SshSession ssh = connector.open(host.address())) {
            phases.run("fetch", () -> fetch(ssh, host, order));
            phases.run("drain", () -> drain(ssh, host, order, phases, bound(order.drainTimeout().plus(MARGIN), deadline)));
            phases.run("switch", () -> {
                Map<String, String> out = expectOk(ssh.run(script(HostScripts.SWITCH, host, order.version()), bound(QUICK, deadline)));
                String previous = out.getOrDefault("previous", "");
                phases.previousVersion(previous.isEmpty() ? null : previous);
                return RestartPhases.Outcome.done("current " + (previous.isEmpty() ? "(none)" : previous) + " -> " + order.version());
            });
            long readyDeadline = System.nanoTime() + order.readyTimeout().toNanos();
            phases.run("start", () -> start(ssh, host, order, phases, bound(order.readyTimeout().plus(MARGIN), deadline)));
            phases.run("ready", () -> ready(ssh, host, phases, Duration.ofNanos(Math.max(0, readyDeadline - System.nanoTime())), deadline));
        }
        return phases.report();
    }

    private RestartPhases.Outcome fetch(SshSession ssh, Instance host, RestartOrder order) throws StepFailure, InterruptedException {
        String version = safeVersion(order.version());
        if (order.artifactUrl() == null) {
            expectOk(ssh.run(script(HostScripts.INSTALLED, host, version), QUICK));
            return RestartPhases.Outcome.skipped("version " + version + " is already installed");
        }
        RemoteScript prepare = script(HostScripts.PREPARE, host, version)
                .with("url", order.artifactUrl())
                .with("sha", order.sha256())
                .with("fetch_s", Long.toString(FETCH_TIMEOUT.toSeconds()));
        Map<String, String> out = expectOk(ssh.run(prepare, FETCH_TIMEOUT.plus(MARGIN)));
        return out.containsKey("installed")
                ? RestartPhases.Outcome.done("installed " + version + " (sha256 verified)")
                : RestartPhases.Outcome.skipped("version " + version + " is already installed");
    }

    private RestartPhases.Outcome drain(SshSession ssh, Instance host, RestartOrder order, RestartPhases phases, Duration bound)
            throws StepFailure, InterruptedException {
        if (app.batonRunsApp()) {
            RemoteScript drain = script(HostScripts.DRAIN_SIGNAL, host, order.version())
                    .with("drain_ms", Long.toString(order.drainTimeout().toMillis()));
            Map<String, String> out = expectOk(ssh.run(drain, bound));
            if (out.containsKey("skipped")) return RestartPhases.Outcome.skipped(out.get("skipped"));
            phases.oldPid(Long.parseLong(out.get("oldpid")));
            return RestartPhases.Outcome.done("SIGTERM to pid " + out.get("oldpid") + ", " + out.get("done"));
        }
        phases.oldPid(pid(ssh, host, order));
        SshSession.Result stop = ssh.run(command(app.stop(), host, order, order.drainTimeout()), bound);
        if (!stop.ok()) throw new StepFailure("stop command " + describe(stop, order.drainTimeout()));
        return RestartPhases.Outcome.done("stop command succeeded");
    }

    private RestartPhases.Outcome start(SshSession ssh, Instance host, RestartOrder order, RestartPhases phases, Duration bound)
            throws StepFailure, InterruptedException {
        if (app.batonRunsApp()) {
            RemoteScript start = script(HostScripts.START_DETACHED, host, order.version())
                    .with("start", app.start())
                    .exportAll(env(host, order.version()));
            Map<String, String> out = expectOk(ssh.run(start, bound));
            phases.newPid(Long.parseLong(out.get("newpid")));
            return RestartPhases.Outcome.done("pid " + out.get("newpid"));
        }
        SshSession.Result start = ssh.run(command(app.start(), host, order, order.readyTimeout()), bound);
        if (!start.ok()) throw new StepFailure("start command " + describe(start, order.readyTimeout()));
        phases.newPid(pid(ssh, host, order));
        return RestartPhases.Outcome.done(phases.newPid() == null ? "start command succeeded" : "pid " + phases.newPid());
    }

    private RestartPhases.Outcome ready(SshSession ssh, Instance host, RestartPhases phases, Duration left, long deadline)
            throws StepFailure, InterruptedException {
        long seconds = Math.max(1, (left.toMillis() + 999) / 1000);
        RemoteScript ready = RemoteScript.of(HostScripts.READY)
                .with("root", root(host))
                .with("url", app.readyUrl().replace("{host}", host.address()))
                .with("group", app.batonRunsApp() && phases.newPid() != null ? phases.newPid().toString() : "")
                .with("ready_s", Long.toString(seconds));
        expectOk(ssh.run(ready, bound(Duration.ofSeconds(seconds).plus(MARGIN), deadline)));
        return RestartPhases.Outcome.done("answered 2xx");
    }

    /** The supervisor's idea of the app's pid, when the plan gives a pid command; null otherwise or when it prints none. */
    private Long pid(SshSession ssh, Instance host, RestartOrder order) throws StepFailure, InterruptedException {
        if (app.pid() == null) return null;
        SshSession.Result result = ssh.run(command(app.pid(), host, order, QUICK), QUICK.plus(MARGIN));
        String text = result.stdout().strip();
        return result.ok() && text.matches("[1-9]\\d{0,9}") ? Long.valueOf(text) : null;
    }

    @Override
    public boolean awaitQuiet(Instance host, Duration quietPeriod, Duration timeout) throws StepFailure {
        throw new StepFailure("the traffic check needs the Baton agent on " + host.address()
                + "; with restart.via: ssh verify propagation with consul and loadBalancer");
    }

    @Override
    public HookResult runHook(Instance host, String name, Plan.Hook hook, Map<String, String> env)
            throws StepFailure, InterruptedException {
        if (!allowHooks) {
            throw new StepFailure("hook " + name + " on " + host.address() + " refused: host hooks over SSH need ssh.allowHooks: true");
        }
        RemoteScript script = RemoteScript.of(HostScripts.HOOK)
                .with("command", hook.command())
                .with("limit", Long.toString(Math.max(1, (hook.timeout().toMillis() + 999) / 1000)))
                .exportAll(env);
        try (SshSession ssh = connector.open(host.address())) {
            SshSession.Result result = ssh.run(script, hook.timeout().plus(Duration.ofSeconds(6)));
            // coreutils timeout exits 124 (137 after -k) when the host-side bound struck first
            boolean timedOut = result.timedOut() || result.exitCode() == 124 || result.exitCode() == 137;
            return new HookResult(result.exitCode(), timedOut, result.took(), result.stdout() + result.stderr());
        }
    }

    private RemoteScript script(String body, Instance host, String version) throws StepFailure {
        return RemoteScript.of(body).with("root", root(host)).with("version", safeVersion(version));
    }

    private RemoteScript command(String command, Instance host, RestartOrder order, Duration limit) {
        return RemoteScript.of(HostScripts.COMMAND)
                .with("root", root(host))
                .with("command", command)
                .with("limit", Long.toString(Math.max(1, (limit.toMillis() + 999) / 1000)))
                .exportAll(env(host, order.version()));
    }

    private Map<String, String> env(Instance host, String version) {
        return Map.of("BATON_SERVICE", service, "BATON_VERSION", version, "BATON_HOST", host.address(),
                "BATON_ROOT", root(host), "BATON_RELEASE_DIR", root(host) + "/releases/" + version);
    }

    private String root(Instance host) {
        return app.root().replace("{host}", host.address());
    }

    private static String safeVersion(String version) throws StepFailure {
        if (version == null || !SAFE_VERSION.matcher(version).matches() || version.equals("..")) {
            throw new StepFailure("version " + dev.baton.wire.Excerpt.quoted(String.valueOf(version))
                    + " cannot name a release directory (no slash, no leading dot)");
        }
        return version;
    }

    /** The script's {@code key value} lines; a failed script becomes a StepFailure with its last stderr line. */
    private static Map<String, String> expectOk(SshSession.Result result) throws StepFailure {
        if (!result.ok()) throw new StepFailure(describe(result, null));
        Map<String, String> out = new java.util.LinkedHashMap<>();
        Matcher line = KEY_VALUE.matcher(result.stdout());
        while (line.find()) out.putIfAbsent(line.group(1), line.group(2).strip());
        return out;
    }

    private static String describe(SshSession.Result result, Duration limit) {
        if (result.timedOut()) return "did not finish in time" + (limit == null ? "" : " (" + Durations.format(limit) + ")");
        // exit 124 (137 after -k) is the host's timeout(1) stopping a command at its limit
        if (limit != null && (result.exitCode() == 124 || result.exitCode() == 137)) {
            return "did not finish within " + Durations.format(limit);
        }
        String line = result.lastLine();
        return "exit " + result.exitCode() + (line.isEmpty() ? "" : ": " + line);
    }

    /** The smaller of a phase's own bound and what is left of the whole restart (at least a second). */
    private static Duration bound(Duration own, long deadline) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (left.compareTo(Duration.ofSeconds(1)) < 0) left = Duration.ofSeconds(1);
        return own.compareTo(left) < 0 ? own : left;
    }
}
