package dev.baton.bench;

import dev.baton.fleet.LocalFleet;
import dev.baton.plan.Durations;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

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
    private static final Set<String> LIMIT_STEPS = Set.of("PROPAGATE", "RESTART", "CHECK", "JOIN");

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

    public static void main(String[] args) throws Exception {
        List<Mode> modes = List.of(
                new Mode("verified", "drain: { propagation: { verify: [consul, loadBalancer, traffic], quietPeriod: 300ms, timeout: 30s } }", null, false),
                new Mode("fixed10", "drain: { propagation: { sleep: 10s } }", null, false),
                new Mode("nowait", "drain: { propagation: { verify: [] } }", null, false),
                new Mode("handoff", "drain: { mode: none }", "handoff", true));
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
            do {
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
        Duration limit = events.stream()
                .filter(e -> e.host() != null && e.took() != null && LIMIT_STEPS.contains(e.step()) && e.outcome() == Event.Outcome.OK)
                .map(Event::took).reduce(Duration.ZERO, Duration::plus);
        Row row = new Row(mode, before, during, wall, limit, ok, rounds);
        System.out.printf("  %-9s %d rollout(s) %s in %s (%s); %d requests, %d failed%s%n", mode.name(), rounds,
                ok ? "ok" : "FAILED", Durations.format(wall), summary, during.requests(),
                during.failed(), during.errors().isEmpty() ? "" : " [" + during.errors() + "]");
        return row;
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
        System.out.println("wall = time in rollouts (all rounds); limit = sum over hosts of the time in PROPAGATE + RESTART (drain, switch, start, ready) + CHECK + JOIN (until Consul reports passing)");
        Row verified = rows.get(0);
        System.out.printf("zero-downtime: requests=%d failed=%d wall_s=%.1f limit_s=%.1f ratio=%.2f fixed10_wall_s=%.1f nowait_failed=%d handoff_failed=%d%n",
                verified.during().requests(), verified.during().failed(), verified.wall().toMillis() / 1000.0,
                verified.limit().toMillis() / 1000.0, verified.ratio(), rows.get(1).wall().toMillis() / 1000.0,
                rows.get(2).during().failed(), rows.get(3).during().failed());
    }
}
