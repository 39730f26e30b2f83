package dev.baton.chaos;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one scenario left behind: how the rollout ended, each instance as Consul reports it, the requests that failed
 * through HAProxy, the restart operations each agent saw, how long from the fault until everything had settled,
 * every broken expectation ({@code problems}; empty means survived) and what is worth knowing but breaks no promise
 * ({@code notes}).
 */
public record ScenarioResult(String name, String fault, String status, String summary, Map<String, FleetCheck.InstanceState> instances,
                             long requests, long failedRequests, String loadErrors, boolean zeroFailuresPromised,
                             double recoverySeconds, Map<String, List<AgentRestarts.Restart>> restarts, List<String> problems,
                             List<String> notes) {

    public boolean survived() {
        return problems.isEmpty();
    }

    public long lostInstances() {
        return FleetCheck.lost(instances);
    }

    /** One line for the bench's table. */
    public String line() {
        String hosts = instances.values().stream()
                .map(s -> s.id() + "=" + s.kind().name().toLowerCase())
                .collect(Collectors.joining(","));
        String restartCounts = restarts.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue().size())
                .collect(Collectors.joining(","));
        return String.format("chaos: %-22s %-8s rollout=%s instances=[%s] lost=%d requests=%d failed=%d%s recovery_s=%.1f restarts=[%s]%s",
                name, survived() ? "survived" : "LOST", status, hosts, lostInstances(), requests, failedRequests,
                zeroFailuresPromised ? "" : " (failures not covered)", recoverySeconds, restartCounts,
                problems.isEmpty() ? "" : " problems: " + String.join("; ", problems));
    }
}
