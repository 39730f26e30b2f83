package dev.baton.rollout;

import java.util.Map;

/** How a rollout ended, and where each host ended. */
public record RolloutResult(boolean succeeded, String summary, Map<String, HostState> hosts) {
    public enum HostState { PENDING, DONE, RESTORED, PARKED }
}
