package dev.baton.rollout;

import java.util.List;
import java.util.Map;

/**
 * Where a rollout stood when its orchestrator stopped: each host's last journaled state, the saved
 * registrations of the hosts that were out of rotation (several when a batch runs in parallel), and the hosts
 * it had switched to the new release, so that a rollback still reaches them.
 */
public record Resume(Map<String, HostState> states, List<Registration> inFlight, List<SwitchedHost> switched) {
    public Resume(Map<String, HostState> states, List<Registration> inFlight) {
        this(states, inFlight, List.of());
    }

    public static Resume fresh() {
        return new Resume(Map.of(), List.of(), List.of());
    }

    /**
     * The hosts that had ended (DONE, PARKED, ...): they are not rolled again. A RESTORED host is back in rotation
     * without having finished (put back when its server was stopped or lost its lock, or after a step failed): the
     * resumed rollout rolls it again.
     */
    public Map<String, HostState> settled() {
        Map<String, HostState> settled = new java.util.LinkedHashMap<>();
        states.forEach((id, state) -> {
            if (state.settled() && state != HostState.RESTORED) settled.put(id, state);
        });
        return settled;
    }
}
