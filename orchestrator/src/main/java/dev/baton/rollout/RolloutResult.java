package dev.baton.rollout;

import java.util.Map;

/** How a rollout ended, and where each host ended. */
public record RolloutResult(Status status, String summary, Map<String, HostState> hosts) {
    public enum Status { SUCCEEDED, FAILED, ABORTED, ROLLED_BACK }

    public boolean succeeded() {
        return status == Status.SUCCEEDED;
    }
}
