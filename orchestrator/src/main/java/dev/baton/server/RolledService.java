package dev.baton.server;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStore;

/**
 * The service a rollout really rolls, which its lock is taken on: the Consul service of its targets (the plan's own
 * name only names the rollout), so two plans can never roll one service at once.
 */
final class RolledService {
    private RolledService() {
    }

    static String of(Plan plan) {
        return plan.targets().consulService();
    }

    /** The rolled service of a stored rollout; its plan's name if the stored plan cannot be read. */
    static String of(RolloutStore store, RolloutRecord record) {
        try {
            return store.plan(record.id()).map(text -> of(new PlanLoader().parse("plan", text))).orElse(record.service());
        } catch (RuntimeException e) { // a PlanException too
            return record.service();
        }
    }
}
