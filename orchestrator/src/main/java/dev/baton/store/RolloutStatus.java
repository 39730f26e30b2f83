package dev.baton.store;

/** Where a rollout stands, as the API and the dashboard show it. */
public enum RolloutStatus {
    RUNNING, PAUSED, AWAITING_PROMOTION, ROLLING_BACK, SUCCEEDED, FAILED, ABORTED, ROLLED_BACK;

    public boolean isFinal() {
        return switch (this) {
            case SUCCEEDED, FAILED, ABORTED, ROLLED_BACK -> true;
            default -> false;
        };
    }
}
