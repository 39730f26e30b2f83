package dev.baton.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Turns plan text into a validated {@link Plan}, or a {@link PlanException} naming file, line, column and field. */
public final class PlanLoader {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
    private static final Pattern VERSION_SAFE = Pattern.compile("(?!.*\\.\\.)" + VERSION.pattern());
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern URL = Pattern.compile("(https?|file)://[^\\s]{1,2000}");
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}");
    static final Pattern PATH = Pattern.compile("/[^\\s]{0,500}");
    private static final Pattern RUNTIME = Pattern.compile("(unix:/[^\\s]{1,200}|tcp:[A-Za-z0-9.:\\[\\]-]{1,200}:\\d{1,5})");
    private static final Pattern BODY = Pattern.compile("(?s).{1,1000}");
    static final Pattern COMMAND = Pattern.compile("(?s)(?=.*\\S).{1,8192}");
    private static final Pattern ANY = Pattern.compile("[^\\s]{1,200}");
    private static final Duration MS = Duration.ofMillis(1);
    private static final Duration HOUR = Duration.ofHours(1);

    public Plan load(Path file) {
        String name = file.toString();
        String text;
        try {
            if (Files.size(file) > YamlTree.MAX_BYTES) {
                throw new PlanException(name + ": plan is larger than " + YamlTree.MAX_BYTES / 1024 + " KiB");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PlanException(name + ": no such file");
        } catch (IOException e) {
            throw new PlanException(name + ": cannot read plan: " + e.getMessage());
        }
        return parse(name, text);
    }

    public Plan parse(String file, String text) {
        Node root = new YamlTree().parse(file, text);
        if (!root.isMap()) throw PlanException.at(root, "a plan is a mapping of fields (service, version, artifact, ...)");
        Section plan = Section.of(root);

        String service = plan.required("service", NAME, "a Consul service name like web");
        String version = plan.required("version", VERSION_SAFE, "letters, digits and . _ + - like 2.4.1");

        Section artifact = plan.section("artifact");
        if (!plan.has("artifact")) {
            throw new PlanException(root.where() + ": artifact: is required (url and sha256 of the release)");
        }
        String url = artifact.required("url", URL, "an http, https or file URL");
        String sha256 = artifact.required("sha256", SHA256, "64 hex digits: the sha256 of the artifact");
        artifact.done();

        Plan.Targets targets = targets(plan.section("targets"), service);
        String consul = plan.optional("consul", null, URL, "the Consul HTTP address like http://127.0.0.1:8500");

        Section agent = plan.section("agent");
        if (agent.has("tokenEnv")) {
            throw PlanException.at(agent.field("tokenEnv"), "a plan cannot choose the agent token: it is configured on the "
                    + "server (BATON_AGENT_TOKEN or --agent-token-file); remove this field");
        }
        Plan.AgentAccess agentAccess = new Plan.AgentAccess(
                agent.oneOf("scheme", "http", List.of("http", "https")),
                agent.integer("port", 7070, 1, 65535));
        agent.done();

        Plan.LoadBalancerAccess loadBalancer = loadBalancer(plan);

        Section restart = plan.section("restart");
        Plan.Restart restartSpec = new Plan.Restart(
                restart.option("strategy", Plan.RestartStrategy.STOP_START, Plan.RestartStrategy.values()),
                restart.duration("timeout", Duration.ofMinutes(5), Duration.ofSeconds(1), HOUR),
                restart.option("via", Plan.RestartVia.AGENT, Plan.RestartVia.values()));
        if (restartSpec.via() == Plan.RestartVia.SSH && restartSpec.strategy() == Plan.RestartStrategy.HANDOFF) {
            throw PlanException.at(restart.field("strategy"), "handoff needs the agent; with via: ssh use stop-start");
        }
        restart.done();
        Plan.Ssh ssh = SshSection.read(plan, restartSpec.via(), root);

        Plan.Drain drainSpec = drain(plan.section("drain"), restartSpec, loadBalancer);

        Plan.Health health = health(plan.section("health"));
        Plan.Strategy strategy = strategy(plan.section("strategy"), targets);
        Plan.Hooks hooks = hooks(plan.section("hooks"));
        Plan.Scheduled schedule = plan.has("schedule") ? ScheduleSection.read(plan.section("schedule")) : null;
        Plan.Analysis analysis = plan.has("analysis") ? AnalysisSection.read(plan.section("analysis"), loadBalancer, strategy) : null;
        plan.done();
        SshSection.checkAgainst(ssh, plan, drainSpec, hooks);
        Duration needed = drainSpec.timeout().plus(health.deadline());
        if (restartSpec.timeout().compareTo(needed) <= 0) {
            Node at = root.map().containsKey("restart") ? root.map().get("restart") : root;
            throw new PlanException(at.where() + ": restart.timeout: " + Durations.format(restartSpec.timeout())
                    + " must be longer than drain.timeout + health.deadline (" + Durations.format(needed) + ")");
        }

        return new Plan(service, version, new Plan.Artifact(url.replace("{version}", version), sha256.toLowerCase()),
                targets, consul, agentAccess, loadBalancer, drainSpec, restartSpec, health, strategy, hooks, ssh, schedule, analysis);
    }

    private static Plan.Strategy strategy(Section strategy, Plan.Targets targets) {
        Amount batch = strategy.amount("batch", Amount.of(1), 1, 10_000);
        int fleet = targets.explicit() ? targets.hosts().size() : Integer.MAX_VALUE;
        if (!batch.isPercent() && batch.count() > fleet) {
            throw PlanException.at(strategy.field("batch"), "a batch of " + batch.count() + " is larger than the fleet ("
                    + fleet + " hosts in targets.hosts)");
        }
        Amount maxUnavailable = strategy.amount("maxUnavailable", batch, 1, 10_000);
        Amount minHealthy = strategy.amount("minHealthy", null, 0, 10_000);
        int canary = strategy.integer("canary", 0, 0, 10_000);
        if (canary > fleet) throw PlanException.at(strategy.field("canary"), canary + " canaries is more than the fleet (" + fleet + " hosts)");
        Duration autoPromote = strategy.duration("autoPromoteAfter", null, Duration.ZERO, Duration.ofHours(24));
        if (autoPromote != null && canary == 0) {
            throw PlanException.at(strategy.field("autoPromoteAfter"), "needs canary: N (the hosts to watch before promoting)");
        }
        String groupBy = null;
        if (strategy.has("groupBy")) {
            Section group = strategy.section("groupBy");
            groupBy = group.required("nodeMeta", NAME, "a Consul node meta key like zone");
            group.done();
        }
        Plan.Strategy out = new Plan.Strategy(batch, maxUnavailable, minHealthy,
                strategy.duration("capacityWait", Duration.ofMinutes(2), Duration.ZERO, HOUR),
                canary, autoPromote,
                strategy.duration("pauseBetweenBatches", Duration.ZERO, Duration.ZERO, HOUR),
                groupBy,
                strategy.option("onFailure", Plan.OnFailure.ROLLBACK, Plan.OnFailure.values()),
                strategy.amount("maxFailures", Amount.of(0), 0, 10_000),
                strategy.duration("progressDeadline", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(24)),
                strategy.duration("maxPause", Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(7)),
                strategy.option("windowOverrun", Plan.WindowOverrun.FINISH_BATCH, Plan.WindowOverrun.values()),
                strategy.option("prepare", Plan.Prepare.ALL, Plan.Prepare.values()));
        strategy.done();
        return out;
    }

    private static Plan.Hooks hooks(Section hooks) {
        Plan.Hooks out = new Plan.Hooks(hookNames(hooks, "beforeDeploy"), hookList(hooks, "beforeHost"),
                hookList(hooks, "afterHost"), hookNames(hooks, "afterDeploy"));
        hooks.done();
        return out;
    }

    /** Deploy hooks run on the orchestrator's machine: only names of hooks its admin defined (the hooks file). */
    private static List<String> hookNames(Section hooks, String key) {
        Node list = hooks.field(key);
        if (list == null || list.value() == null) return List.of();
        if (list.list().size() > 20) throw PlanException.at(list, "has more than 20 hooks");
        List<String> out = new java.util.ArrayList<>();
        for (Node item : list.list()) {
            String name = item.isMap() || item.isList() ? null : item.scalar();
            if (name == null || !NAME.matcher(name).matches()) {
                throw PlanException.at(item, "deploy hooks are names of hooks defined in the server's hooks file "
                        + "(e.g. notify-start), not commands: a plan cannot run commands on the orchestrator");
            }
            out.add(name);
        }
        return List.copyOf(out);
    }

    private static List<Plan.Hook> hookList(Section hooks, String key) {
        Node list = hooks.field(key);
        if (list == null || list.value() == null) return List.of();
        List<Plan.Hook> out = new java.util.ArrayList<>();
        if (list.list().size() > 20) throw PlanException.at(list, "has more than 20 hooks");
        for (Node item : list.list()) {
            if (item.isMap()) {
                Section hook = Section.of(item);
                out.add(new Plan.Hook(hook.required("command", COMMAND, "a shell command of at most 8 KiB"),
                        hook.duration("timeout", Duration.ofSeconds(30), Duration.ofMillis(1), HOUR)));
                hook.done();
            } else {
                String command = item.scalar();
                if (!COMMAND.matcher(command).matches()) throw PlanException.at(item, "is not a valid command (at most 8 KiB, not blank)");
                out.add(new Plan.Hook(command, Duration.ofSeconds(30)));
            }
        }
        return List.copyOf(out);
    }

    private static Plan.LoadBalancerAccess loadBalancer(Section plan) {
        if (!plan.has("loadBalancer")) return null;
        Section lb = plan.section("loadBalancer");
        Section haproxy = lb.section("haproxy");
        if (!lb.has("haproxy")) throw PlanException.at(lb.node(), "name the load balancer: haproxy: { runtime: ..., backend: ... }");
        Plan.LoadBalancerAccess access = new Plan.LoadBalancerAccess("haproxy",
                haproxy.required("runtime", RUNTIME, "the runtime API address: unix:/path/to/admin.sock or tcp:host:port"),
                haproxy.required("backend", NAME, "the HAProxy backend that serves the service"),
                lb.duration("sampleTraffic", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(10)));
        if (!access.sampleTraffic().isZero() && access.sampleTraffic().compareTo(Duration.ofSeconds(1)) < 0) {
            throw PlanException.at(lb.field("sampleTraffic"), "samples at most once a second (1s or more; 0s: no TRAFFIC events)");
        }
        haproxy.done();
        lb.done();
        return access;
    }

    private static Plan.Drain drain(Section drain, Plan.Restart restart, Plan.LoadBalancerAccess loadBalancer) {
        Plan.DrainMode mode = drain.option("mode", Plan.DrainMode.MAINTENANCE, Plan.DrainMode.values());
        if (mode == Plan.DrainMode.NONE && restart.strategy() != Plan.RestartStrategy.HANDOFF) {
            throw PlanException.at(drain.field("mode"), "\"none\" keeps the instance in rotation, which only a hand-off "
                    + "restart (restart.strategy: handoff) survives without failed requests");
        }
        Duration timeout = drain.duration("timeout", Duration.ofSeconds(30), MS, HOUR);
        Section propagation = drain.section("propagation");
        List<Plan.PropagationCheck> verify = propagation.has("verify")
                ? propagation.options("verify", Plan.PropagationCheck.values())
                : List.of(Plan.PropagationCheck.CONSUL);
        Duration sleep = propagation.duration("sleep", null, Duration.ZERO, Duration.ofMinutes(10));
        if (sleep != null && propagation.has("verify")) {
            throw PlanException.at(propagation.field("sleep"), "give either verify (measured) or sleep (a fixed guess), not both");
        }
        if (verify.contains(Plan.PropagationCheck.LOAD_BALANCER) && loadBalancer == null) {
            throw PlanException.at(propagation.field("verify"), "loadBalancer needs a top-level loadBalancer section "
                    + "(haproxy: { runtime: unix:/path/admin.sock, backend: web })");
        }
        Plan.Propagation spec = new Plan.Propagation(sleep != null ? List.of() : verify, sleep,
                propagation.duration("minWait", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10)),
                propagation.duration("timeout", Duration.ofSeconds(60), MS, Duration.ofMinutes(10)),
                propagation.duration("quietPeriod", Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMinutes(1)));
        if (spec.minWait().compareTo(spec.timeout()) > 0) {
            throw PlanException.at(propagation.field("minWait"), "is longer than propagation.timeout");
        }
        propagation.done();
        Duration restoreTimeout = drain.duration("restoreTimeout", Duration.ofMinutes(2), Duration.ofSeconds(1), HOUR);
        drain.done();
        return new Plan.Drain(mode, timeout, spec, restoreTimeout);
    }

    private static Plan.Targets targets(Section targets, String service) {
        boolean hasConsul = targets.has("consul");
        boolean hasHosts = targets.has("hosts");
        if (hasConsul && hasHosts) {
            throw PlanException.at(targets.node(), "give either consul or hosts, not both");
        }
        Plan.Targets result;
        if (hasHosts) {
            List<String> hosts = targets.strings("hosts", HOST, "a host address like 10.0.0.5", 10_000);
            if (hosts.isEmpty()) throw PlanException.at(targets.field("hosts"), "lists no hosts");
            result = new Plan.Targets(service, null, hosts);
        } else {
            Section consul = targets.section("consul");
            result = new Plan.Targets(
                    consul.optional("service", service, NAME, "a Consul service name"),
                    consul.optional("tag", null, ANY, "a Consul tag"),
                    List.of());
            consul.done();
        }
        targets.done();
        return result;
    }

    private static Plan.Health health(Section health) {
        Section http = health.section("http");
        String path = http.optional("path", "/healthz", PATH, "an absolute path like /healthz");
        int expect = http.integer("expect", 200, 100, 599);
        String body = http.optional("bodyContains", null, BODY, "text of at most 1000 characters");
        int port = http.integer("port", 0, 1, 65535);
        Duration tryTimeout = http.duration("timeout", Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMinutes(1));
        http.done();
        Duration interval = health.duration("interval", Duration.ofMillis(250), Duration.ofMillis(10), Duration.ofMinutes(1));
        Duration minHealthy = health.duration("minHealthyTime", Duration.ZERO, Duration.ZERO, HOUR);
        Duration deadline = health.duration("deadline", Duration.ofMinutes(2), Duration.ofSeconds(1), HOUR);
        if (minHealthy.compareTo(deadline) >= 0) {
            throw PlanException.at(health.field("minHealthyTime"), "must be shorter than health.deadline (" + Durations.format(deadline) + ")");
        }
        boolean consulChecks = health.oneOf("consulChecks", "passing", List.of("passing", "ignore")).equals("passing");
        health.done();
        return new Plan.Health(path, expect, body, port, tryTimeout, interval, minHealthy, deadline, consulChecks);
    }
}
