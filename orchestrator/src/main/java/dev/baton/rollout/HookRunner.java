package dev.baton.rollout;

import java.util.Map;

/** Runs deploy-level hooks (beforeDeploy, afterDeploy) on the orchestrator's machine, by the name an admin gave them. */
public interface HookRunner {
    HookResult run(String phase, String hook, Map<String, String> env) throws InterruptedException;
}
