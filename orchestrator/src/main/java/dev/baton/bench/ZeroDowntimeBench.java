package dev.baton.bench;

import dev.baton.fleet.LocalFleet;
import dev.baton.fleet.Tools;
import dev.baton.plan.Durations;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.Step;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * {@code bin/bench zero-downtime}: a 5-host fleet behind HAProxy under steady load, rolled once per
 * mode, with requests, failures, latency and wall time against the physical limit.
 */
public final class ZeroDowntimeBench {
    private static final int HOSTS = 5;
    private static final int WORKERS = 30;
    private static final int QPS_PER_WORKER = 100;
    private static final int TARGET_REQUESTS = 20_000;
    private static final int MAX_ROUNDS = 8;
    private static final List<Step> BREAKDOWN = List.of(Step.PREPARE, Step.LEAVE, Step.PROPAGATE, Step.RESTART, Step.CHECK, Step.JOIN);
    private static final List<String> PROPAGATION_FIELDS = List.of("consulMs", "loadBalancerMs", "trafficMs");
    /** The shell-script baseline: not Baton, a short script doing the minimal safe sequence. */
    private static final String MINIMAL = "minimal";

    /** {@code repeat}: roll again (to the next version) under the same load until it has sent the target. */
    private record Mode(String name, String drain, String restart, boolean repeat) {
    }

    private record Row(Mode mode, HeyLoad.Report before, HeyLoad.Report during, Duration wall, Duration limit, boolean ok,
                       int rounds) {
        double ratio() {
            return limit.isZero() ? Double.NaN : (double) wall.toMillis() / limit.toMillis();
        }
    }

    private ZeroDowntimeBench() {
    }

    /** Arguments: the modes to run (default all), among verified, minimal, fixed10, nowait, handoff. */
    public static void main(String[] args) throws Exception {
        List<Mode> all = List.of(
                new Mode("verified", "drain: { propagation: { verify: [consul, loadBalancer, traffic], quietPeriod: 300ms, timeout: 30s } }", null, false),
                new Mode(MINIMAL, null, null, false),
                new Mode("fixed10", "drain: { propagation: { sleep: 10s } }", null, false),
                new Mode("nowait", "drain: { propagation: { verify: [] } }", null, false),
                new Mode("handoff", "drain: { mode: none }", "handoff", true));
        List<String> wanted = List.of(args);
        List<Mode> modes = wanted.isEmpty() ? all : all.stream().filter(m -> wanted.contains(m.name())).toList();
        for (String name : wanted) {
            if (all.stream().noneMatch(m -> m.name().equals(name))) {
                System.err.println("unknown mode " + name + "; modes: verified minimal fixed10 nowait handoff");
                System.exit(2);
            }
        }
        System.out.printf("zero-downtime benchmark: %d hosts behind HAProxy, load %d req/s (hey -c %d -q %d)%n",
                HOSTS, WORKERS * QPS_PER_WORKER, WORKERS, QPS_PER_WORKER);
        List<Row> rows = new ArrayList<>();
        try (LocalFleet fleet = LocalFleet.start("web", HOSTS, "1.0.0", true)) {
            String url = fleet.loadBalancerUrl() + "/";
            System.out.println("load balancer: " + url + "   logs: " + fleet.workDir());
            int version = 2;
            for (Mode mode : modes) {
                rows.add(run(fleet, mode, version++, url));
                fleet.awaitLoadBalancerRoutesToAll();
            }
        }
        print(rows);
    }

    private static Plan plan(LocalFleet fleet, Mode mode, String version) throws Exception {
        Path plan = fleet.writePlan(version, mode.drain() + "\n");
        String text = Files.readString(plan).replaceAll("(?m)^drain:\\n(  .*\\n)+", "");
        if (mode.restart() != null) text = text.replace("strategy: stop-start", "strategy: " + mode.restart());
        Files.writeString(plan, text);
        return new PlanLoader().load(plan);
    }

    private static Row run(LocalFleet fleet, Mode mode, int major, String url) throws Exception {
        HeyLoad.Report before = new HeyLoad(url, WORKERS, QPS_PER_WORKER, 5, fleet.workDir().resolve("hey-before-" + mode.name() + ".txt")).await();
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        HeyLoad.Report during;
        Duration wall = Duration.ZERO;
        boolean ok = true;
        int rounds = 0;
        String summary = "";
        try (HeyLoad load = new HeyLoad(url, WORKERS, QPS_PER_WORKER, 600, fleet.workDir().resolve("hey-during-" + mode.name() + ".txt"))) {
            Thread.sleep(500);
            Instant loadStart = Instant.now();
            if (mode.name().equals(MINIMAL)) {
                Instant start = Instant.now();
                ok = minimal(fleet, major + ".0.0");
                wall = Duration.between(start, Instant.now());
                rounds = 1;
                summary = "bench/minimal-rollout.sh";
            } else do {
                Plan plan = plan(fleet, mode, major + ".0." + rounds);
                RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null,
                        fleet.agentToken(), events::add));
                Instant start = Instant.now();
                RolloutResult result = engine.run(plan);
                wall = wall.plus(Duration.between(start, Instant.now()));
                ok &= result.succeeded();
                summary = result.summary();
                rounds++;
            } while (ok && mode.repeat() && rounds < MAX_ROUNDS
                    && Duration.between(loadStart, Instant.now()).toMillis() * WORKERS * QPS_PER_WORKER / 1000 < TARGET_REQUESTS);
            Thread.sleep(500);
            during = load.stop();
        }
        Duration limit = Duration.ZERO;
        if (!mode.repeat() && !mode.name().equals(MINIMAL)) {
            Map<String, String> addresses = new HashMap<>();
            for (LocalFleet.Host host : fleet.hosts()) addresses.put(host.serviceId(), host.address() + ":" + LocalFleet.APP_PORT);
            OutsideLimit outside = OutsideLimit.measure(events, addresses, fleet.loadBalancerLog());
            limit = outside.total();
            System.out.println("  " + mode.name() + " per host: " + breakdown(events));
            System.out.println("  " + mode.name() + " outside limit per host: " + outside.meanPieces());
        }
        Row row = new Row(mode, before, during, wall, limit, ok, rounds);
        System.out.printf("  %-9s %d rollout(s) %s in %s (%s); %d requests, %d failed%s%n", mode.name(), rounds,
                ok ? "ok" : "FAILED", Durations.format(wall), summary, during.requests(),
                during.failed(), during.errors().isEmpty() ? "" : " [" + during.errors() + "]");
        return row;
    }

    /** Runs bench/minimal-rollout.sh over the fleet, printing its per-host lines. */
    private static boolean minimal(LocalFleet fleet, String version) throws Exception {
        var artifact = fleet.artifact(version);
        List<String> command = new ArrayList<>(List.of(Tools.repo().resolve("bench/minimal-rollout.sh").toString(),
                fleet.consulAddress(), fleet.loadBalancerRuntimeTcp(), "app", fleet.service(), version, artifact.url(),
                artifact.sha256()));
        for (LocalFleet.Host host : fleet.hosts()) command.add(host.serviceId() + "=" + host.address());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("AGENT_TOKEN", fleet.agentToken());
        Process script = builder.start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(script.getInputStream()))) {
            for (String line; (line = out.readLine()) != null; ) System.out.println("    " + line);
        }
        return script.waitFor() == 0;
    }

    /** Mean per host of each step's duration, with PROPAGATE's checks: "LEAVE 12 ms, PROPAGATE 420 ms (consul 3, ...)". */
    static String breakdown(List<Event> events) {
        List<String> parts = new ArrayList<>();
        for (Step step : BREAKDOWN) {
            List<Event> ended = events.stream().filter(e -> e.host() != null && e.step() == step
                    && e.outcome() == Event.Outcome.OK && e.took() != null).toList();
            if (ended.isEmpty()) continue;
            String part = step + " " + ended.stream().mapToLong(e -> e.took().toMillis()).sum() / ended.size() + " ms";
            if (step == Step.PROPAGATE) {
                List<String> checks = new ArrayList<>();
                for (String field : PROPAGATION_FIELDS) {
                    var values = ended.stream().map(e -> e.fields().get(field)).filter(v -> v instanceof Number)
                            .mapToLong(v -> ((Number) v).longValue()).toArray();
                    if (values.length > 0) {
                        checks.add(field.replace("Ms", "") + " " + java.util.Arrays.stream(values).sum() / values.length);
                    }
                }
                if (!checks.isEmpty()) part += " (" + String.join(", ", checks) + ")";
            }
            parts.add(part);
        }
        return String.join(", ", parts);
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.printf("%-9s %6s %9s %7s %9s %9s %9s %9s %8s %8s %6s%n", "mode", "rolls", "requests", "failed",
                "p50 pre", "p99 pre", "p50 roll", "p99 roll", "wall_s", "limit_s", "ratio");
        for (Row r : rows) {
            System.out.printf("%-9s %6d %9d %7d %8.1fms %8.1fms %8.1fms %8.1fms %8.1f %8.1f %6.2f%s%n", r.mode().name(),
                    r.rounds(), r.during().requests(), r.during().failed(), r.before().p50Ms(), r.before().p99Ms(),
                    r.during().p50Ms(), r.during().p99Ms(), r.wall().toMillis() / 1000.0, r.limit().toMillis() / 1000.0,
                    r.ratio(), r.ok() ? "" : "  (rollout failed)");
        }
        System.out.println("wall = time in rollouts (all rounds); limit (from HAProxy's request log) = per batch the slowest host's"
                + " leave→last request routed to it + drain/start/ready + rejoin→first request routed to it, summed over batches");
        Row verified = rows.get(0);
        StringBuilder line = new StringBuilder("zero-downtime: requests=%d failed=%d wall_s=%.1f limit_s=%.1f ratio=%.2f".formatted(
                verified.during().requests(), verified.during().failed(), verified.wall().toMillis() / 1000.0,
                verified.limit().toMillis() / 1000.0, verified.ratio()));
        for (Row r : rows.subList(1, rows.size())) {
            switch (r.mode().name()) {
                case MINIMAL -> line.append(" minimal_wall_s=%.1f minimal_failed=%d".formatted(r.wall().toMillis() / 1000.0, r.during().failed()));
                case "fixed10" -> line.append(" fixed10_wall_s=%.1f".formatted(r.wall().toMillis() / 1000.0));
                default -> line.append(" %s_failed=%d".formatted(r.mode().name(), r.during().failed()));
            }
        }
        System.out.println(line);
    }
}
