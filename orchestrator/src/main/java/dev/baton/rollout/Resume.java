package dev.baton.rollout;

import java.util.Map;

/**
 * Where a rollout stood when its orchestrator stopped: the hosts that had ended (and how), and the
 * saved registration of the host that was out of rotation, if one was.
 */
public record Resume(Map<String, RolloutResult.HostState> settled, Registration inFlight) {
}
