package dev.baton.rollout;

import java.util.List;
import java.util.Map;

/**
 * Where a rollout stood when its orchestrator stopped: the hosts that had ended (and how), and the
 * saved registrations of the hosts that were out of rotation (several when a batch runs in parallel):
 * every {@link Journal#leaving} not yet followed by {@link Journal#settled} for that instance.
 */
public record Resume(Map<String, RolloutResult.HostState> settled, List<Registration> inFlight) {
    public static Resume fresh() {
        return new Resume(Map.of(), List.of());
    }
}
