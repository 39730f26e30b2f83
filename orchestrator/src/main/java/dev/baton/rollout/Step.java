package dev.baton.rollout;

/** The per-host steps, in order, then the two ways a failed host ends. One vocabulary for code, events and UI. */
public enum Step {
    LEAVE, PROPAGATE, RESTART, CHECK, JOIN,
    /** A failed host that is healthy goes back into rotation. */
    RESTORE,
    /** A failed host that is not healthy is registered again in maintenance, with the reason. */
    PARK
}
