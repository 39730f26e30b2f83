package dev.baton.bench;

import dev.baton.chaos.ChaosSuite;
import dev.baton.chaos.FaultyProxy;
import dev.baton.chaos.FaultyRuntime;
import dev.baton.chaos.ScenarioResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/bench chaos}: every fault-injection scenario of {@link ChaosSuite} on one real fleet under load through
 * HAProxy, one line per scenario, then the summary line. Exit code 1 when a scenario did not survive.
 */
public final class ChaosBench {
    @FunctionalInterface
    private interface Scenario {
        ScenarioResult run(ChaosSuite suite) throws Exception;
    }

    private ChaosBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Scenario> scenarios = new LinkedHashMap<>();
        scenarios.put("server-killed", ChaosSuite::serverKilled);
        scenarios.put("consul-paused", ChaosSuite::consulPaused);
        scenarios.put("agent-killed", s -> s.agentKilled(true));
        scenarios.put("agent-killed-stays", s -> s.agentKilled(false));
        scenarios.put("never-healthy", ChaosSuite::neverHealthy);
        scenarios.put("runtime-hang", s -> s.haproxyRuntime(FaultyRuntime.Mode.HANG));
        scenarios.put("runtime-garbage", s -> s.haproxyRuntime(FaultyRuntime.Mode.GARBAGE));
        scenarios.put("runtime-unknown-backend", s -> s.haproxyRuntime(FaultyRuntime.Mode.UNKNOWN_BACKEND));
        scenarios.put("agent-drips", s -> s.agentProxy(FaultyProxy.Mode.DRIP));
        scenarios.put("agent-huge-body", s -> s.agentProxy(FaultyProxy.Mode.HUGE));
        scenarios.put("hook-hangs", ChaosSuite::hangingHook);
        scenarios.put("servers-race", ChaosSuite::serversRace);
        scenarios.put("host-unreachable", ChaosSuite::hostUnreachable);
        List<String> only = List.of(args);

        List<ScenarioResult> results = new ArrayList<>();
        List<String> crashed = new ArrayList<>();
        try (ChaosSuite suite = ChaosSuite.start(System.out::println)) {
            System.out.println("chaos: 3 hosts behind HAProxy, load 100 req/s through it; logs in " + suite.fleet().workDir());
            for (Map.Entry<String, Scenario> scenario : scenarios.entrySet()) {
                if (!only.isEmpty() && !only.contains(scenario.getKey())) continue;
                try {
                    results.add(scenario.getValue().run(suite));
                } catch (Exception e) {
                    crashed.add(scenario.getKey() + ": " + e);
                    System.out.println("chaos: " + scenario.getKey() + " could not run: " + e);
                }
            }
        }
        System.out.println();
        for (ScenarioResult r : results) System.out.println(r.line());
        for (String c : crashed) System.out.println("chaos: " + c + " (harness failure, counted as not survived)");
        long survived = results.stream().filter(ScenarioResult::survived).count();
        long lost = results.stream().mapToLong(ScenarioResult::lostInstances).sum();
        long failed = results.stream().mapToLong(ScenarioResult::failedRequests).sum();
        double recovery = results.stream().mapToDouble(ScenarioResult::recoverySeconds).max().orElse(0);
        System.out.printf("chaos: scenarios=%d survived=%d lost_instances=%d failed_requests=%d max_recovery_s=%.1f%n",
                results.size() + crashed.size(), survived, lost, failed, recovery);
        System.exit(survived == results.size() + crashed.size() ? 0 : 1);
    }
}
