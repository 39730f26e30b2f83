package dev.baton.rollout;

import java.util.List;
import java.util.Map;

/**
 * Where a rollout stood when its orchestrator stopped: the hosts that had ended (and how), the saved
 * registrations of the hosts that were out of rotation (several when a batch runs in parallel): every
 * {@link Journal#leaving} not yet followed by {@link Journal#settled} for that instance; and the hosts it
 * had switched to the new release, so that a rollback still reaches them.
 */
public record Resume(Map<String, RolloutResult.HostState> settled, List<Registration> inFlight, List<SwitchedHost> switched) {
    public Resume(Map<String, RolloutResult.HostState> settled, List<Registration> inFlight) {
        this(settled, inFlight, List.of());
    }

    public static Resume fresh() {
        return new Resume(Map.of(), List.of(), List.of());
    }
}
