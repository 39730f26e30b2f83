package dev.baton.rollout;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutEngineTest {
    private static final String PLAN = """
            service: web
            version: 2.0.0
            artifact: { url: "http://artifacts/web-{version}.tar.gz", sha256: "%s" }
            drain: { mode: deregister, timeout: 10s, propagation: { timeout: 20s } }
            restart: { timeout: 90s }
            health: { interval: 500ms, deadline: 45s }
            strategy: { onFailure: abort }
            """.formatted("a".repeat(64));

    private FakeClock clock;
    private FakeFleet fleet;
    private RecordingEvents events;
    private RolloutEngine engine;
    private Plan plan;

    @BeforeEach
    void setUp() {
        clock = new FakeClock();
        fleet = new FakeFleet(clock, 3);
        events = new RecordingEvents(fleet);
        engine = new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, events));
        plan = new PlanLoader().parse("plan.yaml", PLAN);
    }

    @Test
    void rollsEveryHostThroughTheStepsInOrderOneAtATime() {
        Map<String, Registration> before = Map.copyOf(fleet.registered);

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isTrue();
        for (String host : List.of("web-1", "web-2", "web-3")) {
            assertThat(events.steps(host)).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE OK", "RESTART OK", "CHECK OK", "JOIN OK");
            assertThat(fleet.versions.get(host)).isEqualTo("2.0.0");
        }
        assertThat(fleet.maxOut).isEqualTo(1);
        assertThat(fleet.registered).isEqualTo(before);
        assertThat(result.hosts()).containsOnly(
                Map.entry("web-1", HostState.DONE), Map.entry("web-2", HostState.DONE),
                Map.entry("web-3", HostState.DONE));
        // host 2 starts only after host 1 has joined again
        assertThat(fleet.calls.indexOf("event web-1 JOIN OK")).isLessThan(fleet.calls.indexOf("deregister web-2"));
        assertThat(fleet.calls.indexOf("deregister web-1")).isLessThan(fleet.calls.indexOf("restart web-1 2.0.0"));
        assertThat(fleet.calls.indexOf("event web-1 CHECK OK")).isLessThan(fleet.calls.indexOf("register web-1"));
    }

    @Test
    void propagationTimeoutPutsAHealthyHostBackAndStops() {
        fleet.stuckPassing.add("web-1");
        Instant start = clock.now();

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isFalse();
        assertThat(result.summary()).contains("aborted on failure: 1 host(s) failed, more than maxFailures 0 (last: web-1: consul not verified within 20.0s: Consul still reports web-1 passing)");
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE FAILED", "RESTORE OK");
        assertThat(clock.since(start)).isEqualTo(Duration.ofSeconds(20));
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("restart"));
        assertThat(fleet.registered).containsKeys("web-1", "web-2", "web-3");
        assertThat(fleet.calls).doesNotContain("deregister web-2");
        assertThat(result.hosts().get("web-2")).isEqualTo(HostState.SKIPPED);
    }

    @Test
    void failedRestartOfAnUnhealthyHostParksItInMaintenanceWithTheReason() {
        fleet.restartFailure = i -> {
            fleet.unhealthy.add(i.id());
            return "agent on 10.0.0.1: app not ready after 60s";
        };

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isFalse();
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE OK", "RESTART FAILED", "PARK FAILED");
        assertThat(fleet.registered).containsKey("web-1");
        assertThat(fleet.maintenance.get("web-1")).startsWith("baton: parked: unhealthy (503)")
                .contains("app not ready after 60s");
        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.PARKED);
        assertThat(fleet.versions.get("web-2")).isEqualTo("1.0.0");
    }

    @Test
    void failedRestartOfAStillHealthyHostRestoresIt() {
        fleet.restartFailure = i -> "sha256 mismatch for http://artifacts/web-2.0.0.tar.gz";

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isFalse();
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE OK", "RESTART FAILED", "RESTORE OK");
        assertThat(fleet.isPassing("web-1")).isTrue();
        assertThat(fleet.maintenance).isEmpty();
        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.RESTORED);
    }

    @Test
    void aHangingRestartIsBoundedByTheRestartTimeout() {
        fleet.hangingRestarts.add("web-1");
        Instant start = clock.now();

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isFalse();
        assertThat(clock.since(start)).isEqualTo(Duration.ofSeconds(90));
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE OK", "RESTART FAILED", "RESTORE OK");
    }

    @Test
    void healthCheckGivesUpAtTheDeadlineAndParks() {
        fleet.restartFailure = i -> {
            fleet.unhealthy.add(i.id());
            return null;
        };
        Instant start = clock.now();

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isFalse();
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE OK", "RESTART OK", "CHECK FAILED", "PARK FAILED");
        assertThat(clock.since(start)).isBetween(Duration.ofSeconds(45), Duration.ofSeconds(46));
        assertThat(fleet.maintenance.get("web-1")).contains("not healthy within 45.0s: 503");
        assertThat(fleet.calls.stream().filter(c -> c.equals("probe web-1")).count()).isBetween(90L, 93L);
    }

    @Test
    void joinThatNeverTurnsPassingIsBoundedAndParks() {
        fleet.neverPassingAfterJoin.add("web-1");
        Instant start = clock.now();

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isFalse();
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE OK", "RESTART OK", "CHECK OK", "JOIN FAILED",
                "RESTORE FAILED", "PARK FAILED");
        assertThat(clock.since(start)).isEqualTo(Duration.ofSeconds(90));
        assertThat(fleet.registered).containsKey("web-1");
        assertThat(fleet.maintenance).containsKey("web-1");
    }

    @Test
    void aHostWhoseRegistrationCannotBeSavedIsNeverTouched() {
        fleet.failingSave.add("web-1");

        RolloutResult result = engine.run(planWith("drain: { mode: maintenance }\n"));

        assertThat(result.succeeded()).isFalse();
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE FAILED");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("deregister") || c.startsWith("restart"));
        assertThat(fleet.registered).hasSize(3);
    }

    @Test
    void whenConsulIsGoneWhileParkingTheEventCarriesTheSavedRegistration() {
        fleet.restartFailure = i -> {
            fleet.unhealthy.add(i.id());
            fleet.registryDown = true;
            return "agent unreachable";
        };

        RolloutResult result = engine.run(plan);

        assertThat(result.succeeded()).isFalse();
        Event park = events.events.stream().filter(e -> e.step() == Step.PARK).findFirst().orElseThrow();
        assertThat(park.detail()).contains("NOT back in Consul").contains("saved registration").contains("zone=z1");
    }

    @Test
    void explicitHostsAreRolledInTheOrderGivenAndUnknownHostsFailBeforeAnyChange() {
        Plan ordered = new PlanLoader().parse("plan.yaml", PLAN + "targets: { hosts: [10.0.0.3, 10.0.0.1] }\n");
        RolloutResult result = engine.run(ordered);
        assertThat(result.succeeded()).isTrue();
        assertThat(fleet.calls.stream().filter(c -> c.startsWith("restart")).toList())
                .containsExactly("restart web-3 2.0.0", "restart web-1 2.0.0");

        fleet.calls.clear();
        Plan unknown = new PlanLoader().parse("plan.yaml", PLAN + "targets: { hosts: [10.0.0.1, 10.0.0.9] }\n");
        RolloutResult failed = engine.run(unknown);
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.summary()).isEqualTo("cannot resolve targets: host 10.0.0.9 has no instance of web in Consul");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("save") || c.startsWith("deregister"));
    }

    @Test
    void anUnreachableRegistryFailsTheRolloutBeforeAnyChange() {
        fleet.registryDown = true;
        RolloutResult result = engine.run(plan);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.summary()).contains("Consul is unreachable");
        assertThat(events.last().step()).isEqualTo(Step.ROLLOUT);
    }

    @Test
    void anInterruptedRolloutPutsTheCurrentHostBackAndStops() {
        fleet.restartFailure = i -> {
            Thread.currentThread().interrupt();
            return null;
        };
        try {
            RolloutResult result = engine.run(plan);
            assertThat(result.succeeded()).isFalse();
            assertThat(result.summary()).contains("interrupted");
            assertThat(fleet.registered).hasSize(3);
            assertThat(fleet.calls).doesNotContain("deregister web-2");
        } finally {
            Thread.interrupted();
        }
    }

    private Plan planWith(String extra) {
        StringBuilder base = new StringBuilder();
        for (String line : PLAN.split("\n")) {
            String key = line.substring(0, line.indexOf(':') + 1);
            if (!extra.startsWith(key) && !extra.contains("\n" + key)) base.append(line).append('\n');
        }
        return new PlanLoader().parse("plan.yaml", base + extra);
    }

    private static final String LB = "loadBalancer: { haproxy: { runtime: \"unix:/run/haproxy.sock\", backend: web } }\n";

    @Test
    void verifiesEachPropagationCheckInOrderThenHonoursTheFloor() {
        Plan verified = planWith(LB + "drain: { propagation: { verify: [consul, loadBalancer, traffic], minWait: 1s, quietPeriod: 300ms, timeout: 5s } }\n");
        engine.run(verified);
        Event propagate = events.events.stream().filter(e -> e.step() == Step.PROPAGATE && e.outcome() == Event.Outcome.OK)
                .findFirst().orElseThrow();
        assertThat(propagate.detail()).isEqualTo("verified: consul 0ms, loadBalancer 150ms, traffic 600ms, minWait +250ms");
        assertThat(propagate.took()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fleet.calls).containsSubsequence("maintenance web-1", "lb web-1", "quiet web-1 300", "restart web-1 2.0.0");
    }

    @Test
    void aLoadBalancerThatKeepsRoutingFailsThePropagationWithinItsTimeout() {
        fleet.stuckInLoadBalancer.add("web-1");
        Instant start = clock.now();
        RolloutResult result = engine.run(planWith(LB + "drain: { propagation: { verify: [consul, loadBalancer], timeout: 5s } }\n"));
        assertThat(result.succeeded()).isFalse();
        assertThat(result.summary()).contains("loadBalancer not verified within 5.0s: the load balancer still routes to 10.0.0.1:8080");
        assertThat(clock.since(start)).isEqualTo(Duration.ofSeconds(5));
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE OK", "PROPAGATE FAILED", "RESTORE OK");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("restart"));
    }

    @Test
    void trafficThatNeverStopsFailsThePropagation() {
        fleet.busy.add("web-1");
        RolloutResult result = engine.run(planWith("drain: { propagation: { verify: [traffic], timeout: 3s } }\n"));
        assertThat(result.summary()).contains("traffic not verified within 3.0s: requests still arrive at 10.0.0.1:8080");
    }

    @Test
    void aFixedSleepWaitsExactlyThatLong() {
        engine.run(planWith("drain: { propagation: { sleep: 10s } }\n"));
        Event propagate = events.events.stream().filter(e -> e.step() == Step.PROPAGATE && e.outcome() == Event.Outcome.OK)
                .findFirst().orElseThrow();
        assertThat(propagate.took()).isEqualTo(Duration.ofSeconds(10));
        assertThat(propagate.detail()).isEqualTo("slept a fixed 10.0s (not verified)");
    }

    @Test
    void maintenanceModeKeepsTheRegistrationAndTogglesMaintenance() {
        RolloutResult result = engine.run(planWith("drain: { mode: maintenance }\n"));
        assertThat(result.succeeded()).isTrue();
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("deregister") || c.startsWith("register"));
        assertThat(fleet.calls).containsSubsequence("maintenance web-1", "restart web-1 2.0.0", "maintenance web-1", "maintenance web-2");
        assertThat(fleet.maintenance).isEmpty();
        assertThat(fleet.maxOut).isEqualTo(1);
    }

    @Test
    void aHandoffWithDrainModeNoneNeverTakesTheInstanceOut() {
        RolloutResult result = engine.run(planWith("restart: { strategy: handoff }\ndrain: { mode: none }\n"));
        assertThat(result.succeeded()).isTrue();
        assertThat(events.steps("web-1")).containsExactly("PREPARE OK", "LEAVE SKIPPED", "PROPAGATE SKIPPED", "RESTART OK", "CHECK OK", "JOIN OK");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("deregister") || c.startsWith("maintenance"));
    }

    @Test
    void aBrokenHandoffReleaseThatStaysInRotationIsParkedInMaintenance() {
        fleet.restartFailure = i -> {
            fleet.unhealthy.add(i.id());
            return null;
        };
        RolloutResult result = engine.run(planWith("restart: { strategy: handoff }\ndrain: { mode: none }\n"));
        assertThat(result.succeeded()).isFalse();
        assertThat(fleet.maintenance).containsKey("web-1");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("register"));
    }

    @Test
    void aJournalThatCannotRecordTheRegistrationKeepsTheHostInRotation() {
        Journal broken = new Journal() {
            @Override
            public void leaving(Registration saved) throws StepFailure {
                throw new StepFailure("cannot journal the saved registration of " + saved.instance().id());
            }

            @Override
            public void moved(String instanceId, HostState state, String version) {
            }

            @Override
            public void switched(SwitchedHost host) {
            }
        };

        RolloutResult result = engine.run(plan, new RolloutControl(), broken);

        assertThat(result.succeeded()).isFalse();
        assertThat(events.steps("web-1")).as("it never left, so nothing to restore").containsExactly("PREPARE OK", "LEAVE FAILED");
        assertThat(result.hosts().get("web-1")).isEqualTo(HostState.RESTORED);
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("deregister") || c.startsWith("restart"));
        assertThat(fleet.maxOut).isZero();
    }
}
