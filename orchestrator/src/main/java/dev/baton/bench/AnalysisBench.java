package dev.baton.bench;

import dev.baton.fleet.LocalFleet;
import dev.baton.plan.Durations;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.Step;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code bin/bench analysis [ROUNDS]}: 3 hosts behind HAProxy under steady load; each round rolls three bad releases
 * that pass /healthz (5% errors, +200 ms, 1% errors) and one good one through the same analysis gate, and counts
 * which bad ones the gate caught, how fast (from the canary back in rotation to the failing verdict), how many
 * requests they failed meanwhile, and whether a good one was ever rolled back.
 */
public final class AnalysisBench {
    private static final int HOSTS = 3;
    /** Many workers at a low rate each, so that a slow canary does not starve the load (a hey worker waits for its answer). */
    private static final int WORKERS = 20;
    private static final int QPS_PER_WORKER = 15;
    private static final String GATE = """
            strategy: { canary: 1, batch: 1 }
            analysis: { interval: 2s, window: 10s, successRate: ">= 99.5%", p99: "<= 100ms", minRequests: 200, failureLimit: 1, promote: auto,
                        onInconclusive: rollback }
            """;

    private record Release(String kind, String suffix, boolean bad) {
    }

    private record Outcome(Release release, RolloutResult result, HeyLoad.Report load, Duration detect, long lbFailed) {
        boolean caught() {
            return release.bad() && result.status() == RolloutResult.Status.ROLLED_BACK && detect != null;
        }

        String verdict() {
            if (release.bad()) return caught() ? "caught" : result.status() == RolloutResult.Status.ROLLED_BACK ? "inconclusive" : "MISSED";
            return result.succeeded() ? "passed" : result.status() == RolloutResult.Status.ROLLED_BACK ? "FALSE ROLLBACK" : "failed";
        }
    }

    private AnalysisBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length == 0 ? 3 : Integer.parseInt(args[0]);
        if (rounds < 1 || rounds > 10) {
            System.err.println("usage: bin/bench analysis [ROUNDS 1..10]");
            System.exit(2);
        }
        List<Release> kinds = List.of(new Release("5% errors", "-fail5", true), new Release("+200 ms", "-slow200ms", true),
                new Release("1% errors", "-fail1", true), new Release("good", "", false));
        System.out.printf("analysis benchmark: %d hosts behind HAProxy, load %d req/s (hey -c %d -q %d), %d rounds; gate:%n%s",
                HOSTS, WORKERS * QPS_PER_WORKER, WORKERS, QPS_PER_WORKER, rounds, GATE);
        List<Outcome> outcomes = new ArrayList<>();
        try (LocalFleet fleet = LocalFleet.start("web", HOSTS, "1.0.0", true)) {
            System.out.println("load balancer: " + fleet.loadBalancerUrl() + "/   logs: " + fleet.workDir());
            for (int round = 1; round <= rounds; round++) {
                for (Release release : kinds) {
                    Outcome outcome = roll(fleet, release, "1." + round + "." + kinds.indexOf(release) + release.suffix());
                    outcomes.add(outcome);
                    System.out.printf("  %-10s %-12s %-11s detect %-6s hey: %d requests, %d failed; LB: %d failed — %s%n",
                            release.kind(), outcome.result().status(), outcome.verdict(),
                            outcome.detect() == null ? "-" : Durations.format(outcome.detect()), outcome.load().requests(),
                            outcome.load().failed(), outcome.lbFailed(), outcome.result().summary());
                }
            }
        }
        print(outcomes);
    }

    private static Outcome roll(LocalFleet fleet, Release release, String version) throws Exception {
        Plan plan = new PlanLoader().load(fleet.writePlan(version, GATE));
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null,
                fleet.agentToken(), events::add));
        fleet.awaitLoadBalancerRoutesToAll();
        RolloutResult result;
        HeyLoad.Report load;
        try (HeyLoad hey = new HeyLoad(fleet.loadBalancerUrl() + "/", WORKERS, QPS_PER_WORKER, 300,
                fleet.workDir().resolve("hey-" + version + ".txt"))) {
            Thread.sleep(300);
            result = engine.run(plan);
            load = hey.stop();
        }
        Duration detect = null;
        long lbFailed = 0;
        synchronized (events) {
            for (Event event : events) {
                if (event.step() == Step.ANALYSIS && event.outcome() == Event.Outcome.FAILED && detect == null) detect = event.took();
                if (event.step() == Step.TRAFFIC) lbFailed = ((Number) event.fields().get("failed")).longValue();
            }
        }
        return new Outcome(release, result, load, detect, lbFailed);
    }

    private static void print(List<Outcome> outcomes) {
        List<Outcome> bad = outcomes.stream().filter(o -> o.release().bad()).toList();
        List<Outcome> good = outcomes.stream().filter(o -> !o.release().bad()).toList();
        long caught = bad.stream().filter(Outcome::caught).count();
        long passed = good.stream().filter(o -> o.result().succeeded()).count();
        // a good release rolled back for an inconclusive analysis counts too: the gate stopped it
        long falseRollbacks = good.stream().filter(o -> o.result().status() == RolloutResult.Status.ROLLED_BACK).count();
        List<Long> detect = bad.stream().filter(o -> o.detect() != null).map(o -> o.detect().toMillis()).sorted().toList();
        long failedDuringBad = bad.stream().mapToLong(o -> o.load().failed()).sum();
        long requestsDuringBad = bad.stream().mapToLong(o -> o.load().requests()).sum();
        System.out.println();
        for (String kind : List.of("5% errors", "+200 ms", "1% errors")) {
            List<Outcome> of = bad.stream().filter(o -> o.release().kind().equals(kind)).toList();
            System.out.printf("  %-10s caught %d/%d, detect p50 %s, failed requests %d%n", kind, of.stream().filter(Outcome::caught).count(),
                    of.size(), p50(of.stream().filter(o -> o.detect() != null).map(o -> o.detect().toMillis()).sorted().toList()),
                    of.stream().mapToLong(o -> o.load().failed()).sum());
        }
        System.out.println("detect = from the canary back in rotation to the failing ANALYSIS verdict; failed requests as hey saw them "
                + "(of " + requestsDuringBad + " sent during the bad rollouts)");
        System.out.printf("analysis: bad_caught=%d/%d good_passed=%d/%d false_rollbacks=%d detect_s_p50=%s failed_requests_during_bad=%d%n",
                caught, bad.size(), passed, good.size(), falseRollbacks, p50(detect), failedDuringBad);
    }

    private static String p50(List<Long> sortedMillis) {
        return sortedMillis.isEmpty() ? "-" : String.format("%.1f", sortedMillis.get((sortedMillis.size() - 1) / 2) / 1000.0);
    }
}
