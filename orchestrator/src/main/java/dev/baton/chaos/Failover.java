package dev.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.bench.HeyLoad;
import dev.baton.fleet.LocalFleet;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The leader's fail-over among several Baton server processes on one Consul, on a real fleet behind HAProxy under
 * load: a rollout starts on the leader, the leader is SIGKILLed while a host is out of rotation (before its restart),
 * a follower is elected once the dead leader's session expired and the lock delay passed, resumes the rollout from its
 * journal and finishes it. What happened is read from the outside: the servers' {@code GET /leader} and logs, the
 * agents' logs (restarts per host), Consul (instances passing) and hey (requests failed through HAProxy).
 */
public final class Failover implements AutoCloseable {
    private static final Duration ELECTION_CAP = Duration.ofSeconds(90);
    private static final Duration ROLLOUT_CAP = Duration.ofMinutes(4);
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final int LOAD_WORKERS = 4;
    private static final int LOAD_QPS_PER_WORKER = 25;
    private static final int LOAD_MAX_SECONDS = 300;

    /** One kill of the leader and what followed; durations are measured from the kill. */
    public record Round(String rollout, String status, String summary, String oldLeader, String newLeader, Instant killedAt,
                        Duration takeover, Duration resumed, int leadersAfter, int resumers,
                        Map<String, List<AgentRestarts.Restart>> restarts, List<String> restartedTwice,
                        Map<String, FleetCheck.InstanceState> instances, HeyLoad.Report load) {
        public long lostInstances() {
            return FleetCheck.lost(instances);
        }
    }

    private final LocalFleet fleet;
    private final int size;
    private final Consumer<String> log;
    private final String apiToken = "admin-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    private final List<BatonServerProcess> servers = new ArrayList<>();
    private int started;

    /** {@code size} servers on the fleet's Consul; {@code log} hears progress lines. */
    public Failover(LocalFleet fleet, int size, Consumer<String> log) {
        this.fleet = fleet;
        this.size = size;
        this.log = log;
    }

    /** The single admin token every server takes. */
    public String apiToken() {
        return apiToken;
    }

    public List<BatonServerProcess> alive() {
        return servers.stream().filter(BatonServerProcess::alive).toList();
    }

    /**
     * Starts the rollout of {@code plan} on the leader (starting servers up to the size first), tells {@code started}
     * its id and a follower, kills the leader once one host is DONE and another one PROPAGATING, and follows the
     * rollout on the survivors until it ends and the fleet settled.
     */
    public Round run(String plan, String version, BiConsumer<String, List<BatonServerProcess>> started) throws Exception {
        return run(plan, version, started, Fault.KILL);
    }

    /** What happens to the leader mid-rollout. */
    public enum Fault {
        /** SIGKILL. */
        KILL,
        /** SIGSTOP until a follower has taken over and resumed the rollout, then SIGCONT: it must only hand over. */
        STALL
    }

    /** As {@link #run(String, String, BiConsumer)}, with {@code fault} instead of the kill ({@code killedAt}: when it hit). */
    public Round run(String plan, String version, BiConsumer<String, List<BatonServerProcess>> started, Fault fault) throws Exception {
        while (alive().size() < size) startServer();
        BatonServerProcess leader = awaitLeader(null);
        List<BatonServerProcess> followers = alive().stream().filter(s -> s != leader).toList();
        AgentRestarts restarts = new AgentRestarts(fleet);
        String id;
        String status = "UNKNOWN";
        String summary = "";
        Duration takeover = null;
        Duration resumed = null;
        BatonServerProcess next = null;
        Instant killedAt;
        HeyLoad.Report load;
        Map<String, FleetCheck.InstanceState> instances;
        try (HeyLoad hey = new HeyLoad(fleet.loadBalancerUrl() + "/", LOAD_WORKERS, LOAD_QPS_PER_WORKER, LOAD_MAX_SECONDS,
                fleet.workDir().resolve("hey-failover-" + version + ".txt"))) {
            Thread.sleep(300);
            BatonServerProcess.Answer answer = leader.start(plan);
            if (answer.status() != 201) throw new IOException("POST /rollouts on the leader: " + answer.status() + " " + answer.text());
            id = answer.json().path("id").asText();
            started.accept(id, followers);
            awaitMidRollout(leader, id);
            boolean stalled = fault == Fault.STALL;
            if (stalled) {
                killedAt = leader.stall();
            } else {
                leader.kill();
                killedAt = leader.killedAt();
            }
            log.accept("failover: " + (stalled ? "stalled (SIGSTOP)" : "killed") + " the leader " + leader.name() + " ("
                    + leader.url() + ") mid-rollout " + id);
            long deadline = System.nanoTime() + ROLLOUT_CAP.toNanos();
            while (System.nanoTime() < deadline) {
                if (next == null) {
                    next = elected(followers, killedAt);
                    if (next != null) {
                        takeover = Duration.between(killedAt, since(next));
                        log.accept(String.format("failover: %s leads %.1f s after the kill", next.name(), seconds(takeover)));
                    }
                }
                JsonNode rollout = readAny(followers, id);
                if (rollout != null) {
                    if (resumed == null) resumed = firstEventAfter(rollout, killedAt);
                    if (stalled && resumed != null && next != null) {
                        leader.carryOn();
                        stalled = false;
                        log.accept(String.format("failover: SIGCONT to %s %.1f s after the stall", leader.name(),
                                seconds(Duration.between(killedAt, Instant.now()))));
                    }
                    status = rollout.path("status").asText();
                    summary = rollout.path("summary").asText("");
                    if (isFinal(status)) break;
                }
                Thread.sleep(100);
            }
            instances = FleetCheck.settle(fleet, SETTLE);
            Thread.sleep(300);
            load = hey.stop();
        }
        int leaders = 0;
        int resumers = 0;
        for (BatonServerProcess server : alive()) {
            if (server.get("/api/v1/leader").json().path("self").asBoolean()) leaders++;
            if (server.output().stream().anyMatch(line -> line.contains("resuming " + id))) resumers++;
        }
        Map<String, List<AgentRestarts.Restart>> ops = restarts.since();
        List<String> twice = new ArrayList<>();
        ops.forEach((host, list) -> {
            long count = list.stream().filter(r -> r.version().equals(version)).count();
            if (count > 1) twice.add(host + " restarted " + count + " times to " + version + ": " + list);
        });
        return new Round(id, status, summary, leader.url(), next == null ? null : next.url(), killedAt, takeover, resumed,
                leaders, resumers, ops, twice, instances, load);
    }

    /** The one server that says it leads, once every live server names it; waits for an election if needed. */
    public BatonServerProcess awaitLeader(Instant after) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ELECTION_CAP.toNanos();
        while (System.nanoTime() < deadline) {
            BatonServerProcess leader = elected(alive(), after);
            if (leader != null) return leader;
            Thread.sleep(100);
        }
        throw new IOException("no server became the leader within " + ELECTION_CAP.toSeconds() + " s");
    }

    /** The server among {@code candidates} that leads (elected after {@code after}, when given) and that all others name. */
    private BatonServerProcess elected(List<BatonServerProcess> candidates, Instant after) throws IOException {
        BatonServerProcess leader = null;
        Map<String, String> named = new LinkedHashMap<>();
        for (BatonServerProcess server : candidates) {
            if (!server.alive()) continue;
            JsonNode view = server.get("/api/v1/leader").json();
            named.put(server.name(), view.path("leader").asText(""));
            if (view.path("self").asBoolean()) {
                if (leader != null) throw new IOException("two servers say they lead: " + leader.name() + " and " + server.name());
                leader = server;
            }
        }
        if (leader == null) return null;
        if (after != null && !since(leader).isAfter(after)) return null;
        String url = leader.url();
        return named.values().stream().allMatch(url::equals) ? leader : null;
    }

    private static Instant since(BatonServerProcess server) throws IOException {
        String since = server.get("/api/v1/leader").json().path("since").asText(null);
        return since == null ? Instant.EPOCH : Instant.parse(since);
    }

    /** From the kill until the first event a server logged after it (the resumed rollout's first), or null. */
    private static Duration firstEventAfter(JsonNode rollout, Instant killedAt) {
        for (JsonNode event : rollout.path("events")) {
            Instant at = Instant.parse(event.path("at").asText());
            if (at.isAfter(killedAt)) return Duration.between(killedAt, at);
        }
        return null;
    }

    /** Waits until one host is DONE and another out of rotation before its restart. */
    private static void awaitMidRollout(BatonServerProcess leader, String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ROLLOUT_CAP.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode rollout = leader.rollout(id);
            List<String> states = rollout.path("hosts").findValuesAsText("state");
            if (states.contains("DONE") && states.contains("PROPAGATING")) return;
            if (isFinal(rollout.path("status").asText())) throw new IOException(id + " ended before the kill: " + rollout.path("summary"));
            Thread.sleep(50);
        }
        throw new IOException(id + " never had a host DONE and another PROPAGATING");
    }

    private static JsonNode readAny(List<BatonServerProcess> servers, String id) {
        for (BatonServerProcess server : servers) {
            try {
                if (server.alive()) return server.rollout(id);
            } catch (IOException e) {
                // ask the next
            }
        }
        return null;
    }

    private static boolean isFinal(String status) {
        return List.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK").contains(status);
    }

    private void startServer() throws IOException, InterruptedException {
        String name = "server-" + (char) ('a' + started++);
        servers.add(BatonServerProcess.start(name, fleet.consulAddress(), fleet.workDir(), apiToken, fleet.agentToken(),
                fleet.workDir().resolve(name + ".log")));
    }

    public static double seconds(Duration duration) {
        return duration == null ? Double.NaN : duration.toMillis() / 1000.0;
    }

    /** SIGTERM to every server still alive. */
    @Override
    public void close() throws InterruptedException {
        for (BatonServerProcess server : servers) server.close();
    }
}
