package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * {@code baton recover}: each host left out of rotation by an ended rollout (parked, or out when its orchestrator
     * stopped for good) is put back if healthy, otherwise (still) parked with the reason. Touches nothing else.
     */
    public Map<String, HostState> recover(Plan plan, Map<String, HostState> states, List<Registration> saved, Journal journal) {
        Map<String, HostState> ended = new LinkedHashMap<>();
        for (Registration registration : saved) {
            String id = registration.instance().id();
            HostState state = states.getOrDefault(id, HostState.LEAVING);
            if (state != HostState.PARKED && !state.outOfRotation()) continue;
            HostLifecycle lifecycle = new HostLifecycle(registration.instance(), plan.version(), state, journal);
            Registration parked = state == HostState.PARKED ? HostRollout.parked(registration) : registration;
            ended.put(id, new HostRollout(registration.instance(), plan, ports, lifecycle)
                    .recoverLeftOut(parked, "left out of rotation by an ended rollout (baton recover)"));
        }
        return ended;
    }

    /** Continues a rollout after its orchestrator stopped: settles the hosts in flight, then rolls the rest. */
    public RolloutResult resume(Plan plan, RolloutControl control, Journal journal, Resume from) {
        return new RolloutRun(plan, ports, control, journal).execute(from);
    }
}
