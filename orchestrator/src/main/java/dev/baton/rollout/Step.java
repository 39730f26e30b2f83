package dev.baton.rollout;

import java.util.List;

/**
 * One vocabulary for code, events, {@code baton plan}, the API and the dashboard. {@link #HOST_STEPS} is the
 * per-host sequence, declared once: the engine walks it, and every view lists it from here. A failed host
 * ends with RESTORE or PARK. Rollout-wide steps have no host.
 */
public enum Step {
    PREPARE(Scope.HOST, HostState.PENDING, "fetch the release and verify its sha256 while the app serves (every host before any leaves, or ahead of its batch)"),
    BEFORE_HOST(Scope.HOST, HostState.PREPARED, "hooks.beforeHost, run by the host's agent"),
    LEAVE(Scope.HOST, HostState.LEAVING, "journal the registration, then maintenance mode (or deregister)"),
    PROPAGATE(Scope.HOST, HostState.PROPAGATING, "until every drain.propagation.verify check agrees the instance is out"),
    RESTART(Scope.HOST, HostState.RESTARTING, "the agent drains, switches the release, starts, waits until ready"),
    CHECK(Scope.HOST, HostState.CHECKING, "HTTP probe healthy without a break for minHealthyTime"),
    JOIN(Scope.HOST, HostState.JOINING, "back in rotation, until Consul reports it passing"),
    AFTER_HOST(Scope.HOST, HostState.JOINED, "hooks.afterHost, run by the host's agent"),
    /** A failed host that is healthy goes back into rotation. */
    RESTORE(Scope.RECOVERY, HostState.RESTORING, "a failed host that is healthy goes back into rotation"),
    /** A failed host that is not healthy is registered again in maintenance, with the reason. */
    PARK(Scope.RECOVERY, HostState.RESTORING, "a failed host that is not healthy stays out, in Consul maintenance with the reason"),
    ROLLOUT(Scope.ROLLOUT, null, "the rollout starts and ends"),
    /** Before the first host: instances absent or critical at the start. */
    TARGETS(Scope.ROLLOUT, null, "the instances to roll, and those already out of rotation"),
    BATCH(Scope.ROLLOUT, null, "a batch starts or ends"),
    CANARY(Scope.ROLLOUT, null, "the canaries are done; waiting for promotion"),
    PAUSE(Scope.ROLLOUT, null, "paused by an operator or the failure policy; every host in rotation or parked"),
    CAPACITY(Scope.ROLLOUT, null, "the capacity guard waits for enough passing instances"),
    ROLLBACK(Scope.ROLLOUT, null, "switched hosts go back to their previous release"),
    HOOK(Scope.ROLLOUT, null, "a deploy hook (beforeDeploy, afterDeploy)"),
    /** A sample of the traffic through the load balancer: totals, rates, passing and out-of-rotation instances. */
    TRAFFIC(Scope.ROLLOUT, null, "a sample of the traffic through the load balancer during the rollout"),
    /** The analysis gate's verdict on switched instances against the baseline: pass, fail or inconclusive. */
    ANALYSIS(Scope.ROLLOUT, null, "the analysis gate compares switched instances with the baseline by success rate and latency");

    public enum Scope { HOST, RECOVERY, ROLLOUT }

    /** The per-host steps in the order every host walks them. */
    public static final List<Step> HOST_STEPS = List.of(PREPARE, BEFORE_HOST, LEAVE, PROPAGATE, RESTART, CHECK, JOIN, AFTER_HOST);

    private final Scope scope;
    private final HostState during;
    private final String meaning;

    Step(Scope scope, HostState during, String meaning) {
        this.scope = scope;
        this.during = during;
        this.meaning = meaning;
    }

    public Scope scope() {
        return scope;
    }

    /** The host's state while this step runs; null for rollout-wide steps. */
    public HostState during() {
        return during;
    }

    public String meaning() {
        return meaning;
    }
}
