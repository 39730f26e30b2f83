package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.util.ArrayList;
import java.util.List;

/** Resolves a plan's targets to registered instances: the Consul service (and tag), or the listed hosts in order. */
public final class Targets {
    private Targets() {
    }

    public static List<Instance> resolve(Registry registry, Plan.Targets targets) throws StepFailure {
        List<Instance> registered = registry.instances(targets.consulService(), targets.tag());
        List<Instance> chosen = new ArrayList<>();
        if (!targets.explicit()) {
            chosen.addAll(registered);
        } else {
            for (String host : targets.hosts()) {
                List<Instance> onHost = registered.stream().filter(i -> i.address().equals(host)).toList();
                if (onHost.isEmpty()) {
                    throw new StepFailure("host " + host + " has no instance of " + targets.consulService() + " in Consul");
                }
                chosen.addAll(onHost);
            }
        }
        if (chosen.isEmpty()) {
            throw new StepFailure("no instance of " + targets.consulService()
                    + (targets.tag() == null ? "" : " with tag " + targets.tag()) + " is registered in Consul");
        }
        return chosen;
    }
}
