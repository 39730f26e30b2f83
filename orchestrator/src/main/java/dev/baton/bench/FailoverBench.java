package dev.baton.bench;

import dev.baton.chaos.Failover;
import dev.baton.fleet.LocalFleet;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/bench failover [ROUNDS]}: three Baton servers on one Consul, a 3-host fleet behind HAProxy under load; in
 * each round a rollout starts on the leader and the leader is SIGKILLed while a host is out of rotation. One line per
 * round, then the summary: the takeover (kill until a follower leads), the resume (kill until the rollout's events go
 * on), the rollouts resumed, the instances lost and the requests failed through HAProxy. Exit code 1 if a round lost
 * an instance, failed requests, restarted a host twice or did not succeed.
 */
public final class FailoverBench {
    private static final int SERVERS = 3;
    private static final int DEFAULT_ROUNDS = 3;
    /** Each host stays out of rotation this long at least: the kill lands while one is out. */
    private static final Duration MIN_WAIT = Duration.ofSeconds(5);

    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = DEFAULT_ROUNDS;
        if (args.length > 0) {
            try {
                rounds = Integer.parseInt(args[0]);
                if (rounds < 1 || rounds > 20) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                System.err.println("bin/bench failover: ROUNDS must be a number from 1 to 20, not \"" + args[0] + "\"");
                System.exit(2);
            }
        }
        List<Failover.Round> done = new ArrayList<>();
        try (LocalFleet fleet = LocalFleet.start("web", 3, "1.0.0", true);
             Failover failover = new Failover(fleet, SERVERS, System.out::println)) {
            System.out.printf("failover: %d servers on one Consul, 3 hosts behind HAProxy under 100 req/s, %d round(s); logs in %s%n",
                    SERVERS, rounds, fleet.workDir());
            for (int i = 1; i <= rounds; i++) {
                String version = (i + 1) + ".0.0";
                String plan = slower(Files.readString(fleet.writePlan(version, null)));
                Failover.Round round = failover.run(plan, version, (id, followers) -> { });
                done.add(round);
                System.out.printf("failover: round %d: %s %s takeover_s=%.1f resumed_s=%.1f leaders=%d resumers=%d lost_instances=%d "
                                + "failed_requests=%d/%d restarted_twice=%d%n", i, round.rollout(), round.status(),
                        Failover.seconds(round.takeover()), Failover.seconds(round.resumed()), round.leadersAfter(), round.resumers(),
                        round.lostInstances(), round.load().failed(), round.load().requests(), round.restartedTwice().size());
                round.restartedTwice().forEach(line -> System.out.println("failover:   " + line));
            }
        }
        double worstTakeover = done.stream().mapToDouble(r -> Failover.seconds(r.takeover())).max().orElse(Double.NaN);
        double meanTakeover = done.stream().mapToDouble(r -> Failover.seconds(r.takeover())).average().orElse(Double.NaN);
        double worstResume = done.stream().mapToDouble(r -> Failover.seconds(r.resumed())).max().orElse(Double.NaN);
        long resumed = done.stream().filter(r -> r.status().equals("SUCCEEDED") && r.resumers() == 1).count();
        long lost = done.stream().mapToLong(Failover.Round::lostInstances).sum();
        long failed = done.stream().mapToLong(r -> r.load().failed()).sum();
        long requests = done.stream().mapToLong(r -> r.load().requests()).sum();
        long twice = done.stream().mapToLong(r -> r.restartedTwice().size()).sum();
        System.out.println();
        System.out.printf("failover: takeover_s=%.1f (mean %.1f) resume_s=%.1f resumed=%d/%d lost_instances=%d failed_requests=%d/%d "
                        + "restarted_twice=%d%n", worstTakeover, meanTakeover, worstResume, resumed, done.size(), lost, failed, requests,
                twice);
        System.exit(resumed == done.size() && lost == 0 && failed == 0 && twice == 0 ? 0 : 1);
    }

    /** The fleet's plan with each host kept out of rotation {@link #MIN_WAIT} at least. */
    private static String slower(String plan) {
        String slower = plan.replaceFirst("(propagation: \\{[^}\n]*?)\\s*}", "$1, minWait: " + MIN_WAIT.toMillis() + "ms }");
        if (slower.equals(plan)) throw new IllegalStateException("no propagation: { ... } line to add minWait to in:\n" + plan);
        return slower;
    }
}
