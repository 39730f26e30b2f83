package dev.baton.server;

import dev.baton.plan.Plan;
import dev.baton.rollout.EventSink;
import dev.baton.rollout.Ports;

/** Builds the engine's ports for one rollout (the real adapters, or fakes in tests). */
@FunctionalInterface
public interface RolloutPorts {
    Ports forPlan(Plan plan, String agentToken, EventSink events);
}
