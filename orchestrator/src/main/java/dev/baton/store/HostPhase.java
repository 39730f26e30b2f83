package dev.baton.store;

/** Where one host stands in a rollout: the step being run as an -ING state, or how it ended. */
public enum HostPhase {
    PENDING, LEAVING, PROPAGATING, RESTARTING, CHECKING, JOINING, DONE, RESTORED, PARKED, ROLLED_BACK
}
