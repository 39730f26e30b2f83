package dev.baton.rollout;

/**
 * One vocabulary for code, events and the dashboard. Per host, in order: BEFORE_HOST (hook), PREPARE (fetch
 * the release while serving), LEAVE, PROPAGATE, RESTART, CHECK, JOIN, AFTER_HOST (hook); a failed host ends
 * with RESTORE or PARK. Rollout-wide steps have no host.
 */
public enum Step {
    BEFORE_HOST, PREPARE, LEAVE, PROPAGATE, RESTART, CHECK, JOIN, AFTER_HOST,
    /** A failed host that is healthy goes back into rotation. */
    RESTORE,
    /** A failed host that is not healthy is registered again in maintenance, with the reason. */
    PARK,
    /** Rollout-wide: start and end. */
    ROLLOUT,
    /** Rollout-wide: a batch starts or ends. */
    BATCH,
    /** Rollout-wide: the canaries are done; waiting for promotion. */
    CANARY,
    /** Rollout-wide: paused (by an operator or the failure policy). */
    PAUSE,
    /** Rollout-wide: the capacity guard waits for enough passing instances. */
    CAPACITY,
    /** Rollout-wide: hosts go back to their previous release. */
    ROLLBACK,
    /** Rollout-wide: a deploy hook (beforeDeploy, afterDeploy). */
    HOOK
}
