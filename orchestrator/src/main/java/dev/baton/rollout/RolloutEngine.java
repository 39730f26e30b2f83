package dev.baton.rollout;

import dev.baton.plan.Plan;

/**
 * Rolls a plan across its instances. Each call runs one {@link RolloutRun}, which owns the loop: batches
 * (canaries first), the capacity guard, operator commands between hosts, the failure policy, rollback.
 */
public final class RolloutEngine {
    private final Ports ports;

    public RolloutEngine(Ports ports) {
        this.ports = ports;
    }

    public RolloutResult run(Plan plan) {
        return run(plan, new RolloutControl(), Journal.NONE);
    }

    public RolloutResult run(Plan plan, RolloutControl control, Journal journal) {
        return resume(plan, control, journal, Resume.fresh());
    }

    /** Continues a rollout after its orchestrator stopped: settles the hosts in flight, then rolls the rest. */
    public RolloutResult resume(Plan plan, RolloutControl control, Journal journal, Resume from) {
        return new RolloutRun(plan, ports, control, journal).execute(from);
    }
}
