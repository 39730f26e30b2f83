package dev.baton.rollout;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Batches, capacity, canary, failure policies, hooks: every bound on a fake clock. */
class RolloutStrategyTest {
    /** The smallest plan the strategy tests add their sections to. */
    static final String BASE = """
            service: web
            version: 2.0.0
            artifact: { url: "http://artifacts/web-{version}.tar.gz", sha256: "%s" }
            health: { interval: 500ms, deadline: 45s }
            """.formatted("a".repeat(64));

    private final FakeClock clock = new FakeClock();
    private FakeFleet fleet;
    private RecordingEvents events;
    private RolloutControl control;

    private RolloutResult roll(int hosts, String yaml) {
        return roll(hosts, yaml, e -> { });
    }

    /** {@code onEvent} plays the operator: it sees every event as it is emitted, on the engine's thread. */
    private java.util.concurrent.CyclicBarrier barrier;

    private RolloutResult roll(int hosts, String yaml, Consumer<Event> onEvent) {
        fleet = new FakeFleet(clock, hosts);
        fleet.restartBarrier = barrier;
        events = new RecordingEvents(fleet);
        control = new RolloutControl();
        EventSink sink = e -> {
            events.emit(e);
            onEvent.accept(e);
        };
        Plan plan = new PlanLoader().parse("plan.yaml", BASE + yaml);
        return new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, sink)).run(plan, control, Journal.NONE);
    }

    private List<String> rollout(String step) {
        return events.events.stream().filter(e -> e.host() == null && e.step().name().equals(step))
                .map(e -> e.outcome() + " " + e.detail()).toList();
    }

    @Test
    void batchesByCountRunInParallelUpToMaxUnavailable() {
        barrier = new java.util.concurrent.CyclicBarrier(2);
        RolloutResult result = roll(4, "strategy: { batch: 2, minHealthy: 0 }\n");

        assertThat(result.succeeded()).isTrue();
        assertThat(rollout("BATCH")).containsExactly("STARTED batch 1: web-1, web-2", "OK batch 1: web-1, web-2",
                "STARTED batch 2: web-3, web-4", "OK batch 2: web-3, web-4");
        assertThat(fleet.maxOut).isEqualTo(2);
        assertThat(fleet.versions.values()).containsOnly("2.0.0");
    }

    @Test
    void maxUnavailableLimitsHowManyOfABatchAreOutAtOnce() {
        RolloutResult result = roll(4, "strategy: { batch: \"50%\", maxUnavailable: 1 }\n");

        assertThat(result.succeeded()).isTrue();
        assertThat(rollout("BATCH")).hasSize(4);
        assertThat(fleet.maxOut).isEqualTo(1);
    }

    @Test
    void theCapacityGuardNeverGoesBelowMinHealthyWhenAnInstanceWasAlreadyUnhealthy() {
        fleet = null;
        Instant start = clock.now();
        RolloutResult result = roll(3, "strategy: { minHealthy: 2, capacityWait: 10s, onFailure: abort }\n",
                e -> { });
        // all three pass: one may leave
        assertThat(result.succeeded()).isTrue();

        FakeFleet degraded = new FakeFleet(clock, 3);
        degraded.unhealthy.add("web-3");
        events = new RecordingEvents(degraded);
        Plan plan = new PlanLoader().parse("plan.yaml", BASE + "strategy: { minHealthy: 2, capacityWait: 10s, onFailure: abort }\n");
        start = clock.now();
        RolloutResult guarded = new RolloutEngine(new Ports(degraded, degraded, degraded, degraded, degraded, clock, events)).run(plan);

        assertThat(guarded.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(guarded.summary()).contains("capacity guard: taking web-1 out would leave 1 passing, below minHealthy 2 of 3 (2 passing now)");
        assertThat(degraded.calls).noneMatch(c -> c.startsWith("deregister"));
        assertThat(degraded.maxOut).isZero();
        assertThat(clock.since(start)).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(11));
    }

    @Test
    void theChunksRegistrationsAreReadWhileTheCapacityGuardCountsAndReadAgainAfterALongWait() {
        RolloutResult result = roll(3, "strategy: { minHealthy: 2 }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.OK) {
                // the first batch's count waits (up to 5 s) for web-1's registration to be read: it can only, and at
                // once, if that read runs beside the count rather than after it
                fleet.onPassing = () -> {
                    long until = System.nanoTime() + 5_000_000_000L;
                    while (!fleet.calls.contains("save web-1") && System.nanoTime() < until) Thread.onSpinWait();
                    fleet.onPassing = () -> { };
                };
            }
        });

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(fleet.calls).containsSubsequence("save web-1", "passing", "maintenance web-1");
        assertThat(java.util.Collections.frequency(fleet.calls, "save web-1")).as("read once: still fresh when it left").isEqualTo(1);

        // web-3 recovers after the guard waited 3 s for it (polling every 500 ms): web-1's early read is stale by then
        FakeFleet waited = new FakeFleet(clock, 3);
        waited.unhealthy.add("web-3");
        java.util.concurrent.atomic.AtomicInteger counts = new java.util.concurrent.atomic.AtomicInteger();
        waited.onPassing = () -> {
            if (counts.incrementAndGet() == 8) waited.unhealthy.remove("web-3");
        };
        events = new RecordingEvents(waited);
        Plan plan = new PlanLoader().parse("plan.yaml", BASE + "strategy: { minHealthy: 2, capacityWait: 10s, onFailure: abort }\n");
        RolloutResult recovered = new RolloutEngine(new Ports(waited, waited, waited, waited, waited, clock, events)).run(plan);

        assertThat(recovered.succeeded()).as(recovered.summary()).isTrue();
        assertThat(java.util.Collections.frequency(waited.calls, "save web-1"))
                .as("read early, then again when it left 3 s later").isEqualTo(2);
    }

    @Test
    void theCanaryWaitsForPromotionThenTheRestFollowsInBatches() {
        RolloutResult result = roll(5, "strategy: { canary: 1, batch: 2, minHealthy: 0 }\n", e -> {
            if (e.step() == Step.CANARY && e.outcome() == Event.Outcome.STARTED) {
                assertThat(fleet.versions).containsEntry("web-1", "2.0.0").containsEntry("web-2", "1.0.0");
                clock.sleep(Duration.ofMinutes(5));
                control.send(RolloutControl.Command.PROMOTE);
            }
        });

        assertThat(result.succeeded()).isTrue();
        assertThat(rollout("CANARY")).containsExactly("STARTED canaries on 2.0.0: waiting for promote", "OK promoted by operator");
        assertThat(rollout("BATCH")).containsExactly("STARTED canary: web-1", "OK canary: web-1",
                "STARTED batch 1: web-2, web-3", "OK batch 1: web-2, web-3", "STARTED batch 2: web-4, web-5", "OK batch 2: web-4, web-5");
    }

    @Test
    void theCanaryAutoPromotesAfterAHealthyPeriod() {
        Instant start = clock.now();
        RolloutResult result = roll(3, "strategy: { canary: 1, autoPromoteAfter: 30s }\n");

        assertThat(result.succeeded()).isTrue();
        assertThat(rollout("CANARY")).containsExactly("STARTED canaries on 2.0.0: promoting after 30.0s healthy",
                "OK promoted: healthy for 30.0s");
        assertThat(clock.since(start)).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aCanaryThatTurnsUnhealthyIsRolledBack() {
        RolloutResult result = roll(3, "strategy: { canary: 1, autoPromoteAfter: 30s }\n", e -> {
            if (e.step() == Step.CANARY && e.outcome() == Event.Outcome.STARTED) fleet.unhealthy.add("web-1");
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(fleet.versions).containsOnly(Map.entry("web-1", "1.0.0"), Map.entry("web-2", "1.0.0"), Map.entry("web-3", "1.0.0"));
    }

    @Test
    void aReleaseThatNeverTurnsHealthyRollsEveryTouchedHostBack() {
        RolloutResult result = roll(3, "", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.JOIN && e.outcome() == Event.Outcome.OK) fleet.switchThenFail.add("web-2");
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(result.summary()).startsWith("rolled back 2 host(s) to their previous release after: 1 host(s) failed");
        assertThat(fleet.versions.values()).containsOnly("1.0.0");
        assertThat(fleet.registered).containsOnlyKeys("web-1", "web-2", "web-3");
        assertThat(fleet.maintenance).isEmpty();
        assertThat(fleet.unhealthy).isEmpty();
        assertThat(result.hosts()).containsEntry("web-1", HostState.ROLLED_BACK)
                .containsEntry("web-2", HostState.ROLLED_BACK).containsEntry("web-3", HostState.SKIPPED);
        assertThat(fleet.calls).containsSubsequence("restart web-2 2.0.0", "restart web-2 1.0.0", "restart web-1 1.0.0");
        assertThat(fleet.calls).doesNotContain("restart web-3 2.0.0");
    }

    @Test
    void maxFailuresLetsTheRolloutGoOnUntilItIsExceeded() {
        RolloutResult result = roll(4, "strategy: { maxFailures: 1, minHealthy: 2, onFailure: abort }\n", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.JOIN && e.outcome() == Event.Outcome.OK) fleet.switchThenFail.add("web-2");
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.FAILED);
        assertThat(result.summary()).isEqualTo("1 host(s) did not reach 2.0.0: web-2 PARKED");
        assertThat(fleet.versions).containsEntry("web-3", "2.0.0").containsEntry("web-4", "2.0.0");
    }

    @Test
    void thePausePolicyWaitsForTheOperatorWhoMayAbort() {
        RolloutResult result = roll(3, "strategy: { onFailure: pause }\n", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.JOIN && e.outcome() == Event.Outcome.OK) fleet.switchThenFail.add("web-2");
            if (e.step() == Step.PAUSE && e.outcome() == Event.Outcome.STARTED) {
                clock.sleep(Duration.ofMinutes(10));
                control.send(RolloutControl.Command.ABORT);
            }
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(rollout("PAUSE").get(0)).startsWith("STARTED paused on failure: 1 host(s) failed");
        assertThat(fleet.versions).containsEntry("web-3", "1.0.0");
        assertThat(fleet.maintenance).containsKey("web-2");
    }

    @Test
    void anOperatorPauseTakesEffectBetweenHostsAndResumeFinishes() {
        RolloutResult result = roll(3, "", e -> {
            if ("web-1".equals(e.host()) && e.step() == Step.LEAVE && e.outcome() == Event.Outcome.OK) {
                control.send(RolloutControl.Command.PAUSE);
            }
            if (e.step() == Step.PAUSE && e.outcome() == Event.Outcome.STARTED) {
                assertThat(fleet.outOfRegistry()).isZero();
                assertThat(fleet.versions).containsEntry("web-1", "2.0.0").containsEntry("web-2", "1.0.0");
                clock.sleep(Duration.ofMinutes(3));
                control.send(RolloutControl.Command.RESUME);
            }
        });

        assertThat(result.succeeded()).isTrue();
        assertThat(rollout("PAUSE")).containsExactly("STARTED paused by operator; every host is in rotation or parked", "OK resumed");
    }

    @Test
    void anOperatorRollbackRevertsWhatWasDone() {
        RolloutResult result = roll(3, "", e -> {
            if ("web-2".equals(e.host()) && e.step() == Step.JOIN && e.outcome() == Event.Outcome.OK && "2.0.0".equals(e.version())) {
                control.send(RolloutControl.Command.ROLLBACK);
            }
        });

        assertThat(result.status()).as(result.summary()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(fleet.versions.values()).containsOnly("1.0.0");
        assertThat(fleet.calls).doesNotContain("restart web-3 2.0.0");
    }

    @Test
    void hooksRunInOrderOnTheRightHosts() {
        RolloutResult result = roll(2, """
                hooks:
                  beforeDeploy: ["notify-start"]
                  beforeHost: [{ command: "drain-cron", timeout: 10s }]
                  afterHost: ["smoke-test"]
                  afterDeploy: ["notify-done"]
                """);

        assertThat(result.succeeded()).isTrue();
        assertThat(fleet.hooks).containsExactly("beforeDeploy - notify-start 2.0.0", "BEFORE_HOST web-1 drain-cron 2.0.0",
                "AFTER_HOST web-1 smoke-test 2.0.0", "BEFORE_HOST web-2 drain-cron 2.0.0", "AFTER_HOST web-2 smoke-test 2.0.0",
                "afterDeploy - notify-done 2.0.0");
        assertThat(fleet.calls).containsSubsequence("event web-1 BEFORE_HOST OK", "maintenance web-1", "event web-1 JOIN OK",
                "event web-1 AFTER_HOST OK");
    }

    @Test
    void prepareAllFetchesEveryHostBeforeAnyLeavesAndChangesNothingWhenOneCannot() {
        RolloutResult result = roll(3, "strategy: { onFailure: abort }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) fleet.failingPrepare.add("web-3");
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.FAILED);
        assertThat(result.summary()).isEqualTo("PREPARE failed on 1 host(s), nothing was changed: web-3: the artifact server answered 503");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("save") || c.startsWith("maintenance") || c.startsWith("restart"));
    }

    /** Rolls with {@code slow}'s fetch held until web-1 restarted: it can only end if web-1 left before slow had fetched. */
    private RolloutResult rollWithFetchAfterFirstRestart(int hosts, String slow, String yaml) {
        java.util.concurrent.CountDownLatch firstRestarted = new java.util.concurrent.CountDownLatch(1);
        return roll(hosts, yaml, e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) {
                fleet.slowPrepare.put(slow, firstRestarted);
                fleet.restartFailure = host -> {
                    if (host.id().equals("web-1")) firstRestarted.countDown();
                    return null;
                };
            }
        });
    }

    @Test
    void prepareAheadRollsTheFirstBatchWhileLaterHostsStillFetch() {
        RolloutResult result = rollWithFetchAfterFirstRestart(4, "web-4", "strategy: { prepare: ahead }\n");

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(fleet.calls).containsSubsequence("restart web-1 2.0.0", "prepared web-4",
                "maintenance web-4", "restart web-4 2.0.0");
        assertThat(fleet.versions.values()).containsOnly("2.0.0");
    }

    @Test
    void prepareAheadLetsEachHostOfABatchLeaveAsSoonAsItsOwnFetchIsDone() {
        RolloutResult result = rollWithFetchAfterFirstRestart(2, "web-2", "strategy: { batch: 2, minHealthy: 0, prepare: ahead }\n");

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(fleet.calls).containsSubsequence("restart web-1 2.0.0", "prepared web-2", "maintenance web-2", "restart web-2 2.0.0");
    }

    @Test
    void prepareAheadFetchesEachBatchWhileTheOneBeforeItRolls() {
        RolloutResult result = roll(4, "strategy: { batch: 1, minHealthy: 0, prepare: ahead }\n");

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        // web-3 is the third batch: it fetches once the second rolls, so after the first batch is done
        assertThat(fleet.calls).containsSubsequence("prepare web-1 2.0.0", "maintenance web-1", "restart web-1 2.0.0",
                "prepare web-3 2.0.0", "maintenance web-3");
        assertThat(fleet.calls).containsSubsequence("restart web-2 2.0.0", "prepare web-4 2.0.0");
    }

    @Test
    void aRolloutStoppedByItsFirstBatchLeavesTheLaterBatchesUnfetched() {
        RolloutResult result = roll(4, "strategy: { batch: 1, minHealthy: 0, prepare: ahead, onFailure: abort }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) {
                fleet.restartFailure = host -> host.id().equals("web-1") ? "the agent refused" : null;
            }
        });

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("prepare web-3") || c.startsWith("prepare web-4"));
        assertThat(result.hosts()).containsEntry("web-3", HostState.SKIPPED).containsEntry("web-4", HostState.SKIPPED);
    }

    @Test
    void aRolloutThatEndsNeitherWaitsForAHungFetchNorReportsItAfterItsEnd() throws InterruptedException {
        java.util.concurrent.CountDownLatch hung = new java.util.concurrent.CountDownLatch(1);
        long start = System.nanoTime();
        RolloutResult result = roll(3, "strategy: { prepare: ahead, onFailure: abort }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) {
                fleet.slowPrepare.put("web-2", hung);
                fleet.restartFailure = host -> host.id().equals("web-1") ? "the agent refused" : null;
            }
        });
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        hung.countDown();
        Thread.sleep(500);

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(tookMs).as("a fetch in flight gets %s, not the 10 s it hangs", Preparation.IN_FLIGHT_WAIT).isLessThan(8000);
        assertThat(events.events.get(events.events.size() - 1).step()).as("nothing after the rollout's end").isEqualTo(Step.ROLLOUT);
        assertThat(result.hosts()).containsEntry("web-2", HostState.SKIPPED);
        assertThat(fleet.calls).contains("prepared web-2").noneMatch(c -> c.startsWith("restart web-2"));
    }

    @Test
    void prepareAheadFailsAHostThatCannotFetchBeforeItLeavesAndCountsItAgainstMaxFailures() {
        RolloutResult tolerated = roll(3, "strategy: { prepare: ahead, maxFailures: 1 }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) fleet.failingPrepare.add("web-3");
        });
        assertThat(tolerated.status()).isEqualTo(RolloutResult.Status.FAILED);
        assertThat(tolerated.summary()).isEqualTo("1 host(s) did not reach 2.0.0: web-3 SKIPPED");
        assertThat(fleet.versions).containsEntry("web-1", "2.0.0").containsEntry("web-2", "2.0.0").containsEntry("web-3", "1.0.0");
        assertThat(fleet.calls).noneMatch(c -> c.equals("save web-3") || c.equals("maintenance web-3") || c.startsWith("restart web-3"));

        RolloutResult rolledBack = roll(3, "strategy: { prepare: ahead }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) fleet.failingPrepare.add("web-3");
        });
        assertThat(rolledBack.status()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(rolledBack.summary()).contains("web-3: PREPARE: the artifact server answered 503");
        assertThat(fleet.versions.values()).containsOnly("1.0.0");
        assertThat(fleet.calls).noneMatch(c -> c.equals("maintenance web-3") || c.startsWith("restart web-3"));
    }

    @Test
    void aFailingHookFailsItsStepWithItsOutput() {
        RolloutResult failedDeploy = roll(2, "hooks: { beforeDeploy: [\"notify\"] }\nstrategy: { onFailure: abort }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) fleet.failingHooks.add("notify");
        });
        assertThat(failedDeploy.status()).isEqualTo(RolloutResult.Status.FAILED);
        assertThat(failedDeploy.summary()).isEqualTo("beforeDeploy hook `notify` failed: exit 1: boom; nothing was changed");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("save") || c.startsWith("prepare"));

        RolloutResult failedHost = roll(2, "hooks: { beforeHost: [\"check-disk\"] }\nstrategy: { onFailure: abort }\n", e -> {
            if (e.step() == Step.ROLLOUT && e.outcome() == Event.Outcome.STARTED) fleet.failingHooks.add("check-disk");
        });
        assertThat(failedHost.status()).isEqualTo(RolloutResult.Status.ABORTED);
        Event hook = events.events.stream().filter(e -> e.step() == Step.BEFORE_HOST && e.outcome() == Event.Outcome.FAILED)
                .findFirst().orElseThrow();
        assertThat(hook.detail()).isEqualTo("hook `check-disk` failed: exit 1: boom");
        assertThat(fleet.calls).noneMatch(c -> c.startsWith("deregister") || c.startsWith("restart"));
    }

    @Test
    void groupingByNodeMetaRollsOneZoneAtATime() {
        RolloutResult result = roll(5, "strategy: { batch: 2, minHealthy: 0, groupBy: { nodeMeta: zone } }\n");

        assertThat(result.succeeded()).isTrue();
        assertThat(rollout("BATCH").stream().filter(b -> b.startsWith("STARTED")).toList()).containsExactly(
                "STARTED batch 1 (zone=zone-a): web-1, web-3", "STARTED batch 2 (zone=zone-a): web-5",
                "STARTED batch 3 (zone=zone-b): web-2, web-4");
    }

    @Test
    void minHealthyTimeRequiresAnUnbrokenHealthyStretch() {
        RolloutResult result = roll(1, "", e -> { });
        assertThat(result.succeeded()).isTrue();

        Plan plan = new PlanLoader().parse("plan.yaml", BASE.replace("health: { interval: 500ms, deadline: 45s }",
                "health: { interval: 500ms, deadline: 45s, minHealthyTime: 5s }"));
        FakeFleet one = new FakeFleet(clock, 1);
        RecordingEvents seen = new RecordingEvents(one);
        new RolloutEngine(new Ports(one, one, one, one, one, clock, seen)).run(plan);
        Event check = seen.events.stream().filter(e -> e.step() == Step.CHECK && e.outcome() == Event.Outcome.OK).findFirst().orElseThrow();
        assertThat(check.took()).isEqualTo(Duration.ofSeconds(5));
        assertThat(check.detail()).endsWith("healthy for 5.0s");
    }

    @Test
    void aCrashedRolloutResumesByPuttingBackTheHostInFlightThenRollingTheRest() {
        fleet = new FakeFleet(clock, 3);
        events = new RecordingEvents(fleet);
        Registration inFlight = fleet.registered.get("web-2");
        fleet.registered.remove("web-2");
        fleet.versions.put("web-1", "2.0.0");
        Plan plan = new PlanLoader().parse("plan.yaml", BASE + "drain: { mode: deregister }\n");

        RolloutResult result = new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, events)).resume(plan,
                new RolloutControl(), Journal.NONE,
                new Resume(Map.of("web-1", HostState.DONE), List.of(inFlight)));

        assertThat(result.succeeded()).as(events.events.toString()).isTrue();
        assertThat(events.steps("web-2")).startsWith("RESTORE OK");
        assertThat(fleet.calls).doesNotContain("restart web-1 2.0.0");
        assertThat(fleet.versions.values()).as(fleet.calls.toString()).containsOnly("2.0.0");
        assertThat(fleet.registered).containsOnlyKeys("web-1", "web-2", "web-3");
    }

    @Test
    void aRollbackAfterACrashStillReachesTheHostsSwitchedBeforeIt() {
        fleet = new FakeFleet(clock, 3);
        events = new RecordingEvents(fleet);
        fleet.versions.put("web-1", "2.0.0");
        Plan plan = new PlanLoader().parse("plan.yaml", BASE);
        RolloutControl operator = new RolloutControl();
        operator.send(RolloutControl.Command.ROLLBACK);

        RolloutResult result = new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, events)).resume(plan,
                operator, Journal.NONE, new Resume(Map.of("web-1", HostState.DONE), List.of(),
                        List.of(new SwitchedHost(fleet.registered.get("web-1"), "1.0.0"))));

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ROLLED_BACK);
        assertThat(fleet.versions.values()).containsOnly("1.0.0");
        assertThat(fleet.calls).contains("restart web-1 1.0.0").doesNotContain("restart web-2 2.0.0");
        assertThat(result.hosts()).containsEntry("web-1", HostState.ROLLED_BACK);
    }

    @Test
    void aRunThatLostItsLockLeavesTheHostsItDidNotRollToTheNextOwner() {
        fleet = new FakeFleet(clock, 3);
        events = new RecordingEvents(fleet);
        List<String> journaled = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Journal journal = new Journal() {
            @Override
            public void leaving(Registration saved) {
                journaled.add(saved.instance().id() + " LEAVING");
            }

            @Override
            public void moved(String instanceId, HostState state, String version) {
                journaled.add(instanceId + " " + state);
            }

            @Override
            public void switched(SwitchedHost host) {
            }
        };
        java.util.concurrent.atomic.AtomicReference<String> lost = new java.util.concurrent.atomic.AtomicReference<>();
        RolloutControl losing = new RolloutControl();
        losing.fence(lost::get);
        EventSink sink = e -> {
            events.emit(e);
            if ("web-1".equals(e.host()) && e.step() == Step.JOIN && e.outcome() == Event.Outcome.OK) lost.set("this server lost its lock");
        };
        Plan plan = new PlanLoader().parse("plan.yaml", BASE);

        RolloutResult result = new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, sink)).run(plan, losing, journal);

        assertThat(result.status()).isEqualTo(RolloutResult.Status.ABORTED);
        assertThat(journaled).contains("web-1 DONE").noneMatch(line -> line.endsWith("SKIPPED"));
        assertThat(fleet.calls).doesNotContain("restart web-2 2.0.0");
    }

    @Test
    void aResumedRolloutRollsAgainTheHostsItsPreviousOwnerPutBack() {
        fleet = new FakeFleet(clock, 3);
        events = new RecordingEvents(fleet);
        fleet.versions.put("web-1", "2.0.0");
        Plan plan = new PlanLoader().parse("plan.yaml", BASE);

        RolloutResult result = new RolloutEngine(new Ports(fleet, fleet, fleet, fleet, fleet, clock, events)).resume(plan,
                new RolloutControl(), Journal.NONE,
                new Resume(Map.of("web-1", HostState.DONE, "web-2", HostState.RESTORED, "web-3", HostState.PREPARED), List.of()));

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(fleet.calls).contains("restart web-2 2.0.0", "restart web-3 2.0.0").doesNotContain("restart web-1 2.0.0");
        assertThat(fleet.versions.values()).containsOnly("2.0.0");
    }
}
