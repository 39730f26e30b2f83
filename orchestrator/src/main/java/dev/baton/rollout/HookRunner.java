package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.util.Map;

/** Runs deploy-level hooks (beforeDeploy, afterDeploy) on the orchestrator's machine. */
public interface HookRunner {
    HookResult run(String name, Plan.Hook hook, Map<String, String> env) throws InterruptedException;
}
