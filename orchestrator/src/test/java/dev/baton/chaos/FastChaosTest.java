package dev.baton.chaos;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast part of the chaos suite (the rest runs in {@code bin/bench chaos}): one real fleet behind HAProxy under
 * load, and a fault each that the engine's promise covers, so that zero requests may fail and every instance must
 * end passing or parked with Baton's reason.
 */
class FastChaosTest {
    private static ChaosSuite suite;

    @BeforeAll
    static void start() throws Exception {
        suite = ChaosSuite.start(System.out::println);
    }

    @AfterAll
    static void stop() {
        if (suite != null) suite.close();
    }

    @Test
    void garbageFromTheHaproxyRuntimeFailsPropagationAndPutsTheHostBack() throws Exception {
        ScenarioResult result = suite.haproxyRuntime(FaultyRuntime.Mode.GARBAGE);
        System.out.println(result.line());
        assertSurvived(result);
        assertThat(result.status()).isNotEqualTo("SUCCEEDED");
        assertThat(result.instances().get(ChaosSuite.FAULTED).kind()).isEqualTo(FleetCheck.InstanceState.Kind.PASSING);
    }

    @Test
    void aHangingAfterHostHookIsCutAtItsTimeout() throws Exception {
        ScenarioResult result = suite.hangingHook();
        System.out.println(result.line());
        assertSurvived(result);
        assertThat(result.status()).isNotEqualTo("SUCCEEDED");
        assertThat(result.recoverySeconds()).as("bounded by the hook's 2 s timeout and the rollback").isLessThan(60);
    }

    @Test
    void aReleaseThatNeverBecomesHealthyIsRolledBackOrParkedWithItsReason() throws Exception {
        ScenarioResult result = suite.neverHealthy();
        System.out.println(result.line());
        assertSurvived(result);
        assertThat(result.status()).isIn("ROLLED_BACK", "FAILED");
        assertThat(result.restarts().get("web-1")).as("the canary restarted once to the broken release")
                .anyMatch(r -> r.version().endsWith("-broken"));
        assertThat(result.restarts().get("web-3")).as("nothing after the canary was touched").isEmpty();
    }

    /**
     * A host that leaves in maintenance mode (the default) and is then parked shows the park reason in Consul, not
     * LEAVE's "baton: rolling out": Consul keeps the first reason of a maintenance, so the registry swaps it (found by
     * this suite).
     */
    @Test
    void anAgentKilledMidRestartLeavesItsHostParkedWithTheReason() throws Exception {
        ScenarioResult result = suite.agentKilled(false);
        System.out.println(result.line());
        assertSurvived(result);
        assertThat(result.instances().get(ChaosSuite.FAULTED).kind()).isEqualTo(FleetCheck.InstanceState.Kind.PARKED);
        assertThat(result.instances().get(ChaosSuite.FAULTED).detail()).startsWith(FleetCheck.PARKED_PREFIX);
    }

    private static void assertSurvived(ScenarioResult result) {
        assertThat(result.problems()).as(result.line()).isEmpty();
        assertThat(result.lostInstances()).isZero();
        assertThat(result.failedRequests()).isZero();
        assertThat(result.requests()).isPositive();
    }
}
