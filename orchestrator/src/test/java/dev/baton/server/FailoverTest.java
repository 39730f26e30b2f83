package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.chaos.BatonServerProcess;
import dev.baton.chaos.Failover;
import dev.baton.chaos.FleetCheck;
import dev.baton.fleet.LocalFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three server processes on one Consul and a fleet behind HAProxy under load: the leader is SIGKILLed while a host
 * is out of rotation; exactly one follower takes over, resumes the rollout and finishes it; no host is restarted
 * twice, every instance passes, no request fails, and the followers' event streams go on across the takeover.
 */
class FailoverTest {
    private static LocalFleet fleet;
    private static ServerHarness harness;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0", true);
        harness = new ServerHarness(fleet);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    @Test
    void aFollowerTakesOverFromAKilledLeaderAndFinishesItsRolloutWhileTheFollowersStreamsGoOn() throws Exception {
        List<Api.Watcher> watchers = new ArrayList<>();
        try (Failover failover = new Failover(fleet, 3, System.out::println)) {
            Failover.Round round = failover.run(harness.plan("2.0.0", Duration.ofSeconds(5)), "2.0.0", (id, followers) -> {
                for (BatonServerProcess follower : followers) watchers.add(new Api(follower.url()).watch(id, failover.apiToken()));
            });

            assertThat(round.status()).as(round.summary()).isEqualTo("SUCCEEDED");
            assertThat(round.newLeader()).isNotNull().isNotEqualTo(round.oldLeader());
            assertThat(round.leadersAfter()).as("servers saying they lead after the takeover").isEqualTo(1);
            assertThat(round.resumers()).as("servers that resumed the rollout").isEqualTo(1);
            assertThat(round.restartedTwice()).isEmpty();
            round.restarts().forEach((host, restarts) -> assertThat(restarts).as(host).hasSize(1));
            assertThat(round.instances().values()).extracting(FleetCheck.InstanceState::kind)
                    .containsOnly(FleetCheck.InstanceState.Kind.PASSING).hasSize(3);
            assertThat(round.load().requests()).isPositive();
            assertThat(round.load().failed()).as(round.load().errors()).isZero();
            System.out.printf("failover: takeover_s=%.1f resumed_s=%.1f%n", Failover.seconds(round.takeover()),
                    Failover.seconds(round.resumed()));

            int events = new Api(round.newLeader()).rollout(round.rollout(), failover.apiToken()).path("events").size();
            for (Api.Watcher watcher : watchers) {
                watcher.await(Duration.ofMinutes(1));
                assertThat(watcher.statuses()).last().isEqualTo("SUCCEEDED");
                List<JsonNode> seen = watcher.events();
                assertThat(seen).hasSize(events);
                for (int i = 0; i < seen.size(); i++) assertThat(seen.get(i).path("seq").asLong()).isEqualTo(i + 1);
                assertThat(watcher.messages).as("events delivered after the kill")
                        .anyMatch(m -> m.type().equals("event") && m.receivedAt().isAfter(round.killedAt().plus(round.takeover())));
            }

            BatonServerProcess follower = failover.alive().stream().filter(s -> !s.url().equals(round.newLeader())).findFirst().orElseThrow();
            BatonServerProcess.Answer write = follower.post("/api/v1/rollouts", harness.plan("2.0.0", null));
            assertThat(write.status()).isEqualTo(409);
            assertThat(write.json().path("leader").asText()).isEqualTo(round.newLeader());
            assertThat(follower.get("/metrics").text()).containsPattern("(?m)^baton_leader 0\\.0$");
            BatonServerProcess leader = failover.alive().stream().filter(s -> s.url().equals(round.newLeader())).findFirst().orElseThrow();
            assertThat(leader.get("/metrics").text()).containsPattern("(?m)^baton_leader 1\\.0$");
        } finally {
            watchers.forEach(Api.Watcher::close);
        }
    }

    /**
     * A leader that stalls (SIGSTOP, as in a long GC pause) mid-rollout fails its liveness check, so a follower takes
     * over; woken up once the rollout was resumed, the old leader finds its lease gone and only hands over: no host
     * restarted twice, every instance passing, no request failed, one leader.
     */
    @Test
    void aStalledLeaderThatWakesUpAfterTheTakeoverActsOnNoHost() throws Exception {
        try (Failover failover = new Failover(fleet, 2, System.out::println)) {
            Failover.Round round = failover.run(harness.plan("3.0.0", Duration.ofSeconds(5)), "3.0.0", (id, followers) -> {
            }, Failover.Fault.STALL);

            assertThat(round.status()).as(round.summary()).isEqualTo("SUCCEEDED");
            assertThat(round.newLeader()).isNotNull().isNotEqualTo(round.oldLeader());
            assertThat(round.leadersAfter()).as("servers saying they lead after the stalled one woke up").isEqualTo(1);
            assertThat(round.resumers()).as("servers that resumed the rollout").isEqualTo(1);
            assertThat(round.restartedTwice()).isEmpty();
            round.restarts().forEach((host, restarts) -> assertThat(restarts).as(host).hasSize(1));
            assertThat(round.instances().values()).extracting(FleetCheck.InstanceState::kind)
                    .containsOnly(FleetCheck.InstanceState.Kind.PASSING).hasSize(3);
            assertThat(round.load().failed()).as(round.load().errors()).isZero();
            BatonServerProcess woken = failover.alive().stream().filter(s -> s.url().equals(round.oldLeader())).findFirst().orElseThrow();
            assertThat(woken.output()).as("the woken leader's log").anyMatch(line -> line.contains("handed over"));
            System.out.printf("stalled leader: takeover_s=%.1f resumed_s=%.1f%n", Failover.seconds(round.takeover()),
                    Failover.seconds(round.resumed()));
        }
    }
}
