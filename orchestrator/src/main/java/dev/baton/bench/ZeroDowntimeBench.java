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
    private static final Set<String> LIMIT_STEPS = Set.of("PROPAGATE", "RESTART", "CHECK", "JOIN");

    private record Mode(String name, String drain, String restart) {
    }

    private record Row(Mode mode, HeyLoad.Report before, HeyLoad.Report during, Duration wall, Duration limit, boolean ok) {
        double ratio() {
            return limit.isZero() ? Double.NaN : (double) wall.toMillis() / limit.toMillis();
        }
    }

    private ZeroDowntimeBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Mode> modes = List.of(
                new Mode("verified", "drain: { propagation: { verify: [consul, loadBalancer, traffic], quietPeriod: 300ms, timeout: 30s } }", null),
                new Mode("fixed10", "drain: { propagation: { sleep: 10s } }", null),
                new Mode("nowait", "drain: { propagation: { verify: [] } }", null),
                new Mode("handoff", "drain: { mode: none }", "handoff"));
        System.out.printf("zero-downtime benchmark: %d hosts behind HAProxy, load %d req/s (hey -c %d -q %d)%n",
                HOSTS, WORKERS * QPS_PER_WORKER, WORKERS, QPS_PER_WORKER);
        List<Row> rows = new ArrayList<>();
        try (LocalFleet fleet = LocalFleet.start("web", HOSTS, "1.0.0", true)) {
            String url = fleet.loadBalancerUrl() + "/";
            System.out.println("load balancer: " + url + "   logs: " + fleet.workDir());
            int version = 2;
            for (Mode mode : modes) {
                rows.add(run(fleet, mode, version++ + ".0.0", url));
                fleet.awaitLoadBalancerRoutesToAll();
            }
        }
        print(rows);
    }

    private static Row run(LocalFleet fleet, Mode mode, String version, String url) throws Exception {
        Path plan = fleet.writePlan(version, mode.drain() + "\n");
        String text = Files.readString(plan).replaceAll("(?m)^drain:\\n(  .*\\n)+", "");
        if (mode.restart() != null) text = text.replace("strategy: stop-start", "strategy: " + mode.restart());
        Files.writeString(plan, text);
        Plan parsed = new PlanLoader().load(plan);

        HeyLoad.Report before = new HeyLoad(url, WORKERS, QPS_PER_WORKER, 5, fleet.workDir().resolve("hey-before-" + mode.name() + ".txt")).await();
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutEngine engine = new RolloutEngine(Adapters.forPlan(parsed, HttpUrl.get(fleet.consulAddress()), null,
                fleet.agentToken(), events::add));
        HeyLoad.Report during;
        Instant start;
        Instant end;
        RolloutResult result;
        try (HeyLoad load = new HeyLoad(url, WORKERS, QPS_PER_WORKER, 600, fleet.workDir().resolve("hey-during-" + mode.name() + ".txt"))) {
            Thread.sleep(500);
            start = Instant.now();
            result = engine.run(parsed);
            end = Instant.now();
            Thread.sleep(500);
            during = load.stop();
        }
        Duration limit = events.stream()
                .filter(e -> e.host() != null && e.took() != null && LIMIT_STEPS.contains(e.step()) && e.outcome() == Event.Outcome.OK)
                .map(Event::took).reduce(Duration.ZERO, Duration::plus);
        Row row = new Row(mode, before, during, Duration.between(start, end), limit, result.succeeded());
        System.out.printf("  %-9s rollout %s in %s (%s); %d requests, %d failed%s%n", mode.name(),
                result.succeeded() ? "ok" : "FAILED", Durations.format(row.wall()), result.summary(), during.requests(),
                during.failed(), during.errors().isEmpty() ? "" : " [" + during.errors() + "]");
        return row;
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.printf("%-9s %9s %7s %9s %9s %9s %9s %8s %8s %6s%n", "mode", "requests", "failed",
                "p50 pre", "p99 pre", "p50 roll", "p99 roll", "wall_s", "limit_s", "ratio");
        for (Row r : rows) {
            System.out.printf("%-9s %9d %7d %8.1fms %8.1fms %8.1fms %8.1fms %8.1f %8.1f %6.2f%s%n", r.mode().name(),
                    r.during().requests(), r.during().failed(), r.before().p50Ms(), r.before().p99Ms(),
                    r.during().p50Ms(), r.during().p99Ms(), r.wall().toMillis() / 1000.0, r.limit().toMillis() / 1000.0,
                    r.ratio(), r.ok() ? "" : "  (rollout failed)");
        }
        System.out.println("limit = sum over hosts of the time in PROPAGATE + RESTART (drain, switch, start, ready) + CHECK + JOIN (until Consul reports passing)");
        Row verified = rows.get(0);
        System.out.printf("zero-downtime: requests=%d failed=%d wall_s=%.1f limit_s=%.1f ratio=%.2f fixed10_wall_s=%.1f nowait_failed=%d handoff_failed=%d%n",
                verified.during().requests(), verified.during().failed(), verified.wall().toMillis() / 1000.0,
                verified.limit().toMillis() / 1000.0, verified.ratio(), rows.get(1).wall().toMillis() / 1000.0,
                rows.get(2).during().failed(), rows.get(3).during().failed());
    }
}
