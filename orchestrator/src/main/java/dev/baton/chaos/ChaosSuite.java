package dev.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.bench.HeyLoad;
import dev.baton.fleet.LocalFleet;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.Step;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Fault injection on a real local fleet: Consul, HAProxy in front of 3 hosts (agent + demo app each), steady load
 * from {@code hey} through HAProxy, and one fault per scenario, injected when a given host event appears (e.g.
 * {@code RESTART STARTED} on web-2). After each scenario the promise is read back from the outside: every instance
 * passing in Consul or parked in maintenance with Baton's reason, the rollout in a final state, no host restarted
 * twice to one release (the agents' own logs), and the requests that failed through HAProxy.
 *
 * <p>Every scenario is a public method; {@code dev.baton.bench.ChaosBench} runs them all, the fast ones also run
 * as JUnit tests. Between scenarios {@link #heal} puts the fleet back as it was (agents running on their port,
 * healthy apps, no maintenance), so that one fleet serves every scenario.
 */
public final class ChaosSuite implements AutoCloseable {
    public static final String GOOD = "1.0.0";
    static final String FAULTED = "web-2";
    private static final int LOAD_WORKERS = 4;
    private static final int LOAD_QPS_PER_WORKER = 25;
    private static final int LOAD_MAX_SECONDS = 300;
    /** Far above every bound of the chaos plans: a rollout still running then is a failure of the promise. */
    private static final Duration ROLLOUT_CAP = Duration.ofMinutes(4);
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
    private static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK");

    private final LocalFleet fleet;
    private final Firewall firewall = new Firewall();
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "chaos");
        t.setDaemon(true);
        return t;
    });
    private final String apiToken = "admin-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    private final Consumer<String> log;
    private int release = 1;

    private ChaosSuite(LocalFleet fleet, Consumer<String> log) {
        this.fleet = fleet;
        this.log = log;
    }

    /** A fleet of 3 hosts on {@link #GOOD} behind HAProxy; {@code log} hears progress lines. */
    public static ChaosSuite start(Consumer<String> log) throws IOException, InterruptedException {
        return new ChaosSuite(LocalFleet.start("web", 3, GOOD, true), log);
    }

    public LocalFleet fleet() {
        return fleet;
    }

    // ---------------------------------------------------------------------------------------------- scenarios

    /** HAProxy's runtime API turns hostile while web-2 propagates; {@code verify: [loadBalancer]} must fail, never pass. */
    public ScenarioResult haproxyRuntime(FaultyRuntime.Mode mode) throws Exception {
        String name = "runtime-" + mode.name().toLowerCase().replace('_', '-');
        try (FaultyRuntime runtime = new FaultyRuntime(fleet.workDir(), name, runtimeSocket())) {
            String plan = plan(nextVersion(), runtime.address(), "")
                    .replace("verify: [consul, loadBalancer, traffic]", "verify: [loadBalancer]");
            return inProcess(name, "HAProxy runtime API " + mode + " from PROPAGATE on web-2", plan,
                    new Trigger(FAULTED, Step.PROPAGATE, Event.Outcome.STARTED), () -> runtime.arm(mode), true,
                    events -> requireFailed(events, FAULTED, Step.PROPAGATE));
        }
    }

    /** An afterHost hook that never ends on web-2, bounded by its 2 s timeout. */
    public ScenarioResult hangingHook() throws Exception {
        String plan = plan(nextVersion(), null, """
                hooks:
                  afterHost: [{ command: "if [ \\"$BATON_HOST\\" = web-2 ]; then sleep 600; fi", timeout: 2s }]
                """);
        return inProcess("hook-hangs", "afterHost hook sleeps 600 s on web-2 (timeout 2s)", plan,
                new Trigger(FAULTED, Step.AFTER_HOST, Event.Outcome.STARTED), () -> { }, true,
                events -> requireFailed(events, FAULTED, Step.AFTER_HOST));
    }

    /** A release whose health check never passes. */
    public ScenarioResult neverHealthy() throws Exception {
        String plan = plan(nextVersion() + "-broken", null, "");
        return inProcess("never-healthy", "a release that never becomes healthy (canary web-1)", plan,
                new Trigger("web-1", Step.RESTART, Event.Outcome.STARTED), () -> { }, true,
                events -> requireFailed(events, "web-1", Step.RESTART));
    }

    /** SIGKILL to web-2's agent while it restarts the app; then the harness starts it again (or not). */
    public ScenarioResult agentKilled(boolean restartIt) throws Exception {
        String version = nextVersion();
        LocalFleet.Host host = host(FAULTED);
        return inProcess(restartIt ? "agent-killed" : "agent-killed-stays", "SIGKILL web-2's agent mid-RESTART"
                        + (restartIt ? ", started again 3 s later" : ", not started again"), plan(version, null, ""),
                new Trigger(FAULTED, Step.RESTART, Event.Outcome.STARTED), () -> {
                    awaitAgentRestart(host, version);
                    fleet.killAgent(host);
                    if (restartIt) {
                        Thread.sleep(3000);
                        fleet.restartAgent(host, LocalFleet.AGENT_PORT);
                    }
                }, true, events -> requireFailed(events, FAULTED, Step.RESTART));
    }

    /** web-2's agent behind a proxy that, from RESTART on, drips its answers or sends a huge body instead. */
    public ScenarioResult agentProxy(FaultyProxy.Mode mode) throws Exception {
        LocalFleet.Host host = host(FAULTED);
        int hidden = LocalFleet.AGENT_PORT + 1;
        fleet.restartAgent(host, hidden);
        try (FaultyProxy proxy = new FaultyProxy(host.address(), LocalFleet.AGENT_PORT, host.address(), hidden)) {
            String name = mode == FaultyProxy.Mode.DRIP ? "agent-drips" : "agent-huge-body";
            // RESTART is the first agent call after LEAVE: with the load balancer's own proof, PROPAGATE asks no agent
            Step at = Step.RESTART;
            return inProcess(name, (mode == FaultyProxy.Mode.DRIP ? "web-2's agent answers one byte per 250 ms"
                            : "web-2's agent answers a 512 MiB body") + " from " + at,
                    plan(nextVersion(), null, ""), new Trigger(FAULTED, at, Event.Outcome.STARTED), () -> proxy.arm(mode), true,
                    events -> requireFailed(events, FAULTED, at));
        } finally {
            fleet.restartAgent(host, LocalFleet.AGENT_PORT);
        }
    }

    /** web-2's loopback address dropped by iptables while it restarts; the rule removed after the rollout. */
    public ScenarioResult hostUnreachable() throws Exception {
        LocalFleet.Host host = host(FAULTED);
        String version = nextVersion();
        try {
            return inProcess("host-unreachable", "iptables drops every packet to web-2 (" + host.address() + ") from RESTART",
                    plan(version, null, ""), new Trigger(FAULTED, Step.RESTART, Event.Outcome.STARTED), () -> {
                        awaitAgentRestart(host, version);
                        firewall.drop(host.address());
                    }, true, events -> requireFailed(events, FAULTED, Step.RESTART));
        } finally {
            firewall.restore(host.address());
        }
    }

    /** The server running the rollout is SIGKILLed mid-RESTART on web-2; a new server on the same Consul resumes it. */
    public ScenarioResult serverKilled() throws Exception {
        String version = nextVersion();
        LocalFleet.Host host = host(FAULTED);
        List<BatonServerProcess> servers = Collections.synchronizedList(new ArrayList<>());
        try {
            servers.add(server("server-a"));
            return viaServers("server-killed", "SIGKILL the server mid-RESTART on web-2, then start another", plan(version, null, ""),
                    servers, new Trigger(FAULTED, Step.RESTART, Event.Outcome.STARTED), () -> {
                        awaitAgentRestart(host, version);
                        servers.get(0).kill();
                        servers.add(server("server-b"));
                    }, true);
        } finally {
            for (BatonServerProcess server : servers) server.close();
        }
    }

    /** Consul SIGSTOPped for 25 s (the lock session's TTL is 10 s) while web-2 restarts; a second server waits to take over. */
    public ScenarioResult consulPaused() throws Exception {
        String version = nextVersion();
        LocalFleet.Host host = host(FAULTED);
        List<BatonServerProcess> servers = Collections.synchronizedList(new ArrayList<>());
        try {
            servers.add(server("server-a"));
            servers.add(server("server-b"));
            return viaServers("consul-paused", "SIGSTOP Consul for 25 s mid-RESTART on web-2 (session TTL 10 s), two servers",
                    plan(version, null, ""), servers, new Trigger(FAULTED, Step.RESTART, Event.Outcome.STARTED), () -> {
                        awaitAgentRestart(host, version);
                        fleet.signalConsul("STOP");
                        try {
                            Thread.sleep(25_000);
                        } finally {
                            fleet.signalConsul("CONT");
                        }
                    }, false);
        } finally {
            fleet.signalConsul("CONT");
            for (BatonServerProcess server : servers) server.close();
        }
    }

    /** Two servers on one Consul asked at the same moment to roll the same service: exactly one may start it. */
    public ScenarioResult serversRace() throws Exception {
        String plan = plan(nextVersion(), null, "");
        List<BatonServerProcess> servers = new ArrayList<>();
        try {
            servers.add(server("server-a"));
            servers.add(server("server-b"));
            return raceToStart(plan, servers);
        } finally {
            for (BatonServerProcess server : servers) server.close();
        }
    }

    // ---------------------------------------------------------------------------------------------- harness

    /** What the scenario must see in the events besides the promise: e.g. that the fault was noticed as a failure. */
    @FunctionalInterface
    interface EventExpectation {
        String problem(List<Seen> events);
    }

    /** An event as seen from the engine or from a server's API. */
    record Seen(String host, String step, String outcome, String detail) {
        static Seen of(Event e) {
            return new Seen(e.host(), e.step().name(), e.outcome().name(), e.detail());
        }

        static Seen of(JsonNode e) {
            return new Seen(e.path("host").isNull() ? null : e.path("host").asText(null), e.path("step").asText(),
                    e.path("outcome").asText(), e.path("detail").asText(null));
        }

        @Override
        public String toString() {
            return (host == null ? "" : host + " ") + step + " " + outcome + (detail == null ? "" : ": " + detail);
        }
    }

    /** The host event at which the fault is injected. */
    record Trigger(String host, Step step, Event.Outcome outcome) {
        boolean matches(Seen seen) {
            return host.equals(seen.host()) && step.name().equals(seen.step()) && outcome.name().equals(seen.outcome());
        }

        @Override
        public String toString() {
            return host + " " + step + " " + outcome;
        }
    }

    @FunctionalInterface
    interface Fault {
        void inject() throws Exception;
    }

    private static String requireFailed(List<Seen> events, String host, Step step) {
        boolean failed = events.stream().anyMatch(e -> host.equals(e.host()) && e.step().equals(step.name()) && e.outcome().equals("FAILED"));
        return failed ? null : "the fault was not reported: no " + host + " " + step + " FAILED event";
    }

    /** Runs the engine in this JVM with the real adapters, injecting the fault when the trigger's event is emitted. */
    private ScenarioResult inProcess(String name, String fault, String planText, Trigger trigger, Fault inject,
                                     boolean zeroFailuresPromised, EventExpectation expectation) throws Exception {
        log.accept("chaos: " + name + ": " + fault);
        heal();
        Plan plan = new PlanLoader().parse(name + ".yaml", planText);
        Files.writeString(fleet.workDir().resolve(name + ".yaml"), planText);
        List<Seen> events = Collections.synchronizedList(new ArrayList<>());
        Injection injection = new Injection(trigger, inject);
        AgentRestarts restarts = new AgentRestarts(fleet);
        HeyLoad.Report load;
        RolloutResult result = null;
        String status;
        String summary;
        List<String> problems = new ArrayList<>();
        Map<String, FleetCheck.InstanceState> instances;
        Instant settledAt;
        try (HeyLoad hey = load(name)) {
            Thread.sleep(300);
            RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null,
                    fleet.agentToken(), event -> {
                        Seen seen = Seen.of(event);
                        events.add(seen);
                        injection.offer(seen);
                    }));
            Future<RolloutResult> running = background.submit(() -> engine.run(plan));
            try {
                result = running.get(ROLLOUT_CAP.toMillis(), TimeUnit.MILLISECONDS);
                status = result.status().name();
                summary = result.summary();
            } catch (TimeoutException e) {
                running.cancel(true);
                status = "RUNNING";
                summary = "still running after " + ROLLOUT_CAP.toMinutes() + " min";
            }
            injection.awaitDone();
            instances = FleetCheck.settle(fleet, SETTLE);
            settledAt = Instant.now();
            Thread.sleep(300);
            load = hey.stop();
        }
        if (result == null) problems.add("the rollout did not end within " + ROLLOUT_CAP.toMinutes() + " min");
        return finish(name, fault, status, summary, instances, load, zeroFailuresPromised, injection, settledAt,
                restarts, events, expectation, problems, Map.of(), List.of());
    }

    /** Runs the rollout on a Baton server process, following its events through the API of whichever server is alive. */
    private ScenarioResult viaServers(String name, String fault, String planText, List<BatonServerProcess> servers, Trigger trigger,
                                      Fault inject, boolean zeroFailuresPromised) throws Exception {
        log.accept("chaos: " + name + ": " + fault);
        heal();
        Injection injection = new Injection(trigger, inject);
        AgentRestarts restarts = new AgentRestarts(fleet);
        List<String> problems = new ArrayList<>();
        List<Seen> events = new ArrayList<>();
        String status = "UNKNOWN";
        String summary = "";
        HeyLoad.Report load;
        Map<String, FleetCheck.InstanceState> instances;
        Instant settledAt;
        Map<String, Instant> killed = new LinkedHashMap<>();
        String id = null;
        try (HeyLoad hey = load(name)) {
            Thread.sleep(300);
            BatonServerProcess.Answer started = leaderOf(servers).start(planText);
            if (started.status() != 201) throw new IOException("POST /rollouts answered " + started.status() + ": " + started.text());
            id = started.json().path("id").asText();
            long deadline = System.nanoTime() + ROLLOUT_CAP.toNanos();
            int seen = 0;
            boolean ended = false;
            while (System.nanoTime() < deadline) {
                JsonNode rollout = readFromAnyServer(servers, id);
                if (rollout != null) {
                    JsonNode list = rollout.path("events");
                    for (int i = seen; i < list.size(); i++) {
                        Seen s = Seen.of(list.get(i));
                        events.add(s);
                        injection.offer(s);
                    }
                    seen = Math.max(seen, list.size());
                    status = rollout.path("status").asText();
                    summary = rollout.path("summary").asText("");
                    if (FINAL.contains(status) && injection.done() && finalEverywhere(servers, id)) {
                        ended = true;
                        break;
                    }
                }
                Thread.sleep(100);
            }
            if (!ended) problems.add("the rollout did not end on every live server within " + ROLLOUT_CAP.toMinutes() + " min (last: " + status + ")");
            injection.awaitDone();
            instances = FleetCheck.settle(fleet, SETTLE);
            settledAt = Instant.now();
            Thread.sleep(300);
            load = hey.stop();
        }
        List<String> notes = new ArrayList<>();
        Map<String, String> finals = new LinkedHashMap<>();
        for (BatonServerProcess server : servers) {
            if (server.killedAt() != null) killed.put(server.name(), server.killedAt());
            if (server.output().stream().anyMatch(l -> l.contains("resuming "))) notes.add(server.name() + " resumed the rollout");
            if (server.alive() && id != null) {
                try {
                    JsonNode rollout = server.rollout(id);
                    finals.put(server.name(), rollout.path("status").asText());
                    status = rollout.path("status").asText();
                    summary = rollout.path("summary").asText("");
                } catch (IOException e) {
                    finals.put(server.name(), "unreadable: " + e.getMessage());
                }
            }
        }
        if (new java.util.HashSet<>(finals.values()).size() > 1) notes.add("the servers disagree on how the rollout ended: " + finals);
        return finish(name, fault, status, summary, instances, load, zeroFailuresPromised, injection, settledAt,
                restarts, events, null, problems, killed, notes);
    }

    private ScenarioResult raceToStart(String planText, List<BatonServerProcess> servers) throws Exception {
        String name = "servers-race";
        String fault = "the same plan POSTed to two servers at the same moment";
        log.accept("chaos: " + name + ": " + fault);
        heal();
        AgentRestarts restarts = new AgentRestarts(fleet);
        List<String> problems = new ArrayList<>();
        Injection injection = new Injection(null, () -> { });
        HeyLoad.Report load;
        Map<String, FleetCheck.InstanceState> instances;
        Instant settledAt;
        String status = "UNKNOWN";
        String summary = "";
        List<Seen> events = new ArrayList<>();
        try (HeyLoad hey = load(name)) {
            Thread.sleep(300);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<BatonServerProcess.Answer>> answers = new ArrayList<>();
            for (BatonServerProcess server : servers) {
                answers.add(background.submit(() -> {
                    go.await();
                    return server.start(planText);
                }));
            }
            injection.injectedAt = Instant.now();
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            String id = null;
            BatonServerProcess winner = null;
            for (int i = 0; i < servers.size(); i++) {
                BatonServerProcess.Answer answer = answers.get(i).get(60, TimeUnit.SECONDS);
                codes.add(answer.status());
                if (answer.status() == 201) {
                    id = answer.json().path("id").asText();
                    winner = servers.get(i);
                }
            }
            log.accept("chaos:   answers " + codes);
            if (codes.stream().filter(c -> c == 201).count() != 1 || codes.stream().filter(c -> c == 409).count() != servers.size() - 1) {
                problems.add("expected exactly one 201 and the other 409, got " + codes);
            }
            if (winner != null) {
                long deadline = System.nanoTime() + ROLLOUT_CAP.toNanos();
                while (System.nanoTime() < deadline) {
                    JsonNode rollout = winner.rollout(id);
                    status = rollout.path("status").asText();
                    summary = rollout.path("summary").asText("");
                    if (FINAL.contains(status)) {
                        rollout.path("events").forEach(e -> events.add(Seen.of(e)));
                        break;
                    }
                    Thread.sleep(100);
                }
                if (!FINAL.contains(status)) problems.add("the winner's rollout did not end");
                else if (!status.equals("SUCCEEDED")) problems.add("the winner's rollout ended " + status + ": " + summary);
            }
            instances = FleetCheck.settle(fleet, SETTLE);
            settledAt = Instant.now();
            Thread.sleep(300);
            load = hey.stop();
        }
        return finish(name, fault, status, summary, instances, load, true, injection, settledAt, restarts, events, null,
                problems, Map.of(), List.of());
    }

    private ScenarioResult finish(String name, String fault, String status, String summary,
                                  Map<String, FleetCheck.InstanceState> instances, HeyLoad.Report load, boolean zeroFailuresPromised,
                                  Injection injection, Instant settledAt, AgentRestarts restarts, List<Seen> events,
                                  EventExpectation expectation, List<String> problems, Map<String, Instant> killedServers,
                                  List<String> given) throws IOException {
        List<String> notes = new ArrayList<>(given);
        Map<String, List<AgentRestarts.Restart>> ops = restarts.since();
        int incomplete = summary == null ? -1 : summary.indexOf("could not roll back ");
        if (incomplete >= 0) notes.add("rollback incomplete: " + summary.substring(incomplete + "could not roll back ".length()));
        if (!FINAL.contains(status)) problems.add("rollout not in a final state: " + status);
        if (injection.trigger != null && injection.injectedAt == null) problems.add("the trigger " + injection.trigger + " never came");
        if (injection.error != null) problems.add("injecting the fault failed: " + injection.error);
        for (FleetCheck.InstanceState s : instances.values()) {
            if (s.kind() == FleetCheck.InstanceState.Kind.LOST) problems.add("LOST " + s.id() + ": " + s.detail());
        }
        problems.addAll(twice(ops, killedServers.values()));
        notes.addAll(rolledAgain(ops, killedServers.values()));
        if (zeroFailuresPromised && load.failed() > 0) problems.add(load.failed() + " requests failed through HAProxy: " + load.errors());
        if (load.requests() == 0) problems.add("hey sent no requests");
        if (expectation != null) {
            String problem = expectation.problem(events);
            if (problem != null) problems.add(problem);
        }
        double recovery = injection.injectedAt == null ? 0 : Duration.between(injection.injectedAt, settledAt).toMillis() / 1000.0;
        ScenarioResult result = new ScenarioResult(name, fault, status, summary, instances, load.requests(), load.failed(),
                load.errors(), zeroFailuresPromised, recovery, ops, List.copyOf(problems), List.copyOf(notes));
        Path report = fleet.workDir().resolve(name + ".events.txt");
        StringBuilder text = new StringBuilder(result.line()).append("\nsummary: ").append(summary).append('\n');
        notes.forEach(n -> text.append("note: ").append(n).append('\n'));
        killedServers.forEach((server, at) -> text.append("killed ").append(server).append(" at ").append(at).append('\n'));
        ops.forEach((host, list) -> list.forEach(r -> text.append("agent ").append(host).append(' ').append(r).append('\n')));
        synchronized (events) {
            events.forEach(e -> text.append(e).append('\n'));
        }
        Files.writeString(report, text);
        log.accept("chaos:   " + status + ": " + summary);
        notes.forEach(n -> log.accept("chaos:   note: " + n));
        problems.forEach(p -> log.accept("chaos:   PROBLEM: " + p));
        for (FleetCheck.InstanceState s : instances.values()) {
            if (s.kind() != FleetCheck.InstanceState.Kind.PASSING) log.accept("chaos:   " + s.id() + " " + s.kind() + ": " + s.detail());
        }
        return result;
    }

    /**
     * A host restarted twice to the same release while the same servers were alive: two actors at once (two servers,
     * or a runner that went on past its fence). A server's SIGKILL starts a new epoch: the server resuming after it may
     * roll a host again, one after the other, which is reported by {@link #rolledAgain} but is not two at once.
     */
    static List<String> twice(Map<String, List<AgentRestarts.Restart>> ops, java.util.Collection<Instant> kills) {
        List<String> out = new ArrayList<>();
        ops.forEach((host, list) -> {
            Map<String, Long> perVersionAndEpoch = new LinkedHashMap<>();
            list.forEach(r -> perVersionAndEpoch.merge(r.version() + " (epoch " + epoch(r, kills) + ")", 1L, Long::sum));
            perVersionAndEpoch.forEach((version, count) -> {
                if (count > 1) out.add(host + " restarted " + count + " times to " + version + ": " + list);
            });
        });
        return out;
    }

    /** Hosts restarted again to the same release by the server that took over after a kill. */
    static List<String> rolledAgain(Map<String, List<AgentRestarts.Restart>> ops, java.util.Collection<Instant> kills) {
        List<String> out = new ArrayList<>();
        ops.forEach((host, list) -> {
            Map<String, Set<Long>> epochs = new LinkedHashMap<>();
            list.forEach(r -> epochs.computeIfAbsent(r.version(), v -> new java.util.TreeSet<>()).add(epoch(r, kills)));
            epochs.forEach((version, in) -> {
                if (in.size() > 1) out.add(host + " restarted to " + version + " again after the server was killed");
            });
        });
        return out;
    }

    private static long epoch(AgentRestarts.Restart restart, java.util.Collection<Instant> kills) {
        return kills.stream().filter(k -> k.isBefore(restart.at())).count();
    }

    /** The server that leads (only the leader takes writes); waits up to a minute for an election. */
    private static BatonServerProcess leaderOf(List<BatonServerProcess> servers) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<BatonServerProcess> snapshot;
            synchronized (servers) {
                snapshot = new ArrayList<>(servers);
            }
            for (BatonServerProcess server : snapshot) {
                if (server.alive() && server.get("/api/v1/leader").json().path("self").asBoolean()) return server;
            }
            Thread.sleep(100);
        }
        throw new IOException("none of the servers leads after 60 s");
    }

    private JsonNode readFromAnyServer(List<BatonServerProcess> servers, String id) {
        List<BatonServerProcess> snapshot;
        synchronized (servers) {
            snapshot = new ArrayList<>(servers);
        }
        for (BatonServerProcess server : snapshot) {
            if (!server.alive()) continue;
            try {
                return server.rollout(id);
            } catch (IOException e) {
                // not known there (yet), or unreachable: ask the next
            }
        }
        return null;
    }

    /** Every live server that knows the rollout reports it final (a stale server must not still be acting). */
    private boolean finalEverywhere(List<BatonServerProcess> servers, String id) {
        List<BatonServerProcess> snapshot;
        synchronized (servers) {
            snapshot = new ArrayList<>(servers);
        }
        for (BatonServerProcess server : snapshot) {
            if (!server.alive()) continue;
            try {
                if (!FINAL.contains(server.rollout(id).path("status").asText())) return false;
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Fires the fault once, on its own thread, when the trigger's event is seen. */
    private final class Injection {
        final Trigger trigger;
        final Fault fault;
        volatile Instant injectedAt;
        volatile String error;
        private Future<?> running;

        Injection(Trigger trigger, Fault fault) {
            this.trigger = trigger;
            this.fault = fault;
        }

        synchronized void offer(Seen seen) {
            if (running != null || trigger == null || !trigger.matches(seen)) return;
            injectedAt = Instant.now();
            log.accept("chaos:   fault injected at " + trigger);
            running = background.submit(() -> {
                try {
                    fault.inject();
                } catch (Exception e) {
                    error = e.toString();
                }
                return null;
            });
        }

        synchronized boolean done() {
            return trigger == null || (running != null && running.isDone());
        }

        void awaitDone() throws InterruptedException {
            Future<?> f;
            synchronized (this) {
                f = running;
            }
            if (f == null) return;
            try {
                f.get(2, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                error = "the fault did not finish: " + e;
                f.cancel(true);
            }
        }
    }

    private HeyLoad load(String name) throws IOException {
        return new HeyLoad(fleet.loadBalancerUrl() + "/", LOAD_WORKERS, LOAD_QPS_PER_WORKER, LOAD_MAX_SECONDS,
                fleet.workDir().resolve("hey-" + name + ".txt"));
    }

    private BatonServerProcess server(String name) throws IOException, InterruptedException {
        return BatonServerProcess.start(name, fleet.consulAddress(), fleet.workDir(), apiToken, fleet.agentToken(),
                fleet.workDir().resolve(name + "-" + release + ".log"));
    }

    /** Waits (at most 10 s) until the host's agent logged the restart to {@code version}: the fault lands mid-restart. */
    private void awaitAgentRestart(LocalFleet.Host host, String version) throws IOException, InterruptedException {
        AgentRestarts view = new AgentRestarts(fleet);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Path log = fleet.agentLog(host);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(" to version " + version)) return;
            Thread.sleep(20);
        }
        throw new IOException("the agent on " + host.serviceId() + " never started restarting to " + version + " (" + view + ")");
    }

    private String nextVersion() {
        return "2.0." + release++;
    }

    private LocalFleet.Host host(String id) {
        return fleet.hosts().stream().filter(h -> h.serviceId().equals(id)).findFirst().orElseThrow();
    }

    private Path runtimeSocket() {
        return Path.of(fleet.loadBalancerRuntime().substring("unix:".length()));
    }

    /**
     * The fleet's plan with tighter bounds, so that a scenario ends in seconds: restoreTimeout 20 s, propagation
     * timeout 10 s, health deadline 10 s; {@code runtime} replaces HAProxy's socket when not null.
     */
    String plan(String version, String runtime, String extra) throws IOException, InterruptedException {
        String text = Files.readString(fleet.writePlan(version, null));
        text = replace(text, "drain:\n", "drain:\n  restoreTimeout: 20s\n");
        text = replace(text, "quietPeriod: 300ms, timeout: 30s", "quietPeriod: 300ms, timeout: 10s");
        text = replace(text, "deadline: 30s", "deadline: 10s");
        if (runtime != null) text = replace(text, "runtime: \"" + fleet.loadBalancerRuntime() + "\"", "runtime: \"" + runtime + "\"");
        return text + extra;
    }

    private static String replace(String text, String what, String with) {
        if (!text.contains(what)) throw new IllegalStateException("the fleet's plan has no `" + what.strip() + "`:\n" + text);
        return text.replace(what, with);
    }

    /**
     * Puts the fleet back as it was before any fault: no firewall rule, Consul running, every agent on its port,
     * every app healthy (reinstalling {@link #GOOD} where not), maintenance off; then waits until Consul reports
     * every instance passing and HAProxy routes to all.
     */
    public void heal() throws IOException, InterruptedException {
        for (String address : firewall.dropped()) firewall.restore(address);
        fleet.signalConsul("CONT");
        for (LocalFleet.Host host : fleet.hosts()) {
            if (!fleet.agentAlive(host) || !answers(host.agentUrl() + "/v1/status")) fleet.restartAgent(host, LocalFleet.AGENT_PORT);
            if (!answers(host.appUrl() + "/healthz")) {
                log.accept("chaos:   healing " + host.serviceId() + ": reinstalling " + GOOD);
                fleet.reinstall(host, GOOD);
            }
            try (Response r = HTTP.newCall(new Request.Builder()
                    .url(fleet.consulAddress() + "/v1/agent/service/maintenance/" + host.serviceId() + "?enable=false")
                    .put(RequestBody.create(new byte[0])).build()).execute()) {
                if (!r.isSuccessful()) throw new IOException("cannot end maintenance of " + host.serviceId() + ": " + r.code());
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (FleetCheck.read(fleet).values().stream().anyMatch(s -> s.kind() != FleetCheck.InstanceState.Kind.PASSING)) {
            if (System.nanoTime() > deadline) throw new IOException("the fleet did not heal: " + FleetCheck.read(fleet));
            Thread.sleep(100);
        }
        fleet.awaitLoadBalancerRoutesToAll();
    }

    private boolean answers(String url) {
        try (Response r = HTTP.newCall(new Request.Builder().url(url)
                .header("Authorization", "Bearer " + fleet.agentToken()).get().build()).execute()) {
            return r.code() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        firewall.close();
        try {
            fleet.signalConsul("CONT");
        } catch (RuntimeException ignored) {
            // stopping anyway
        }
        background.shutdownNow();
        fleet.close();
    }
}
