package dev.baton.plan;

import java.time.Duration;
import java.util.List;

/**
 * A rollout plan, validated: every field has a value (defaults filled in) within its bounds.
 * {@link PlanLoader} is the only way to make one from user input.
 */
public record Plan(
        String service,
        String version,
        Artifact artifact,
        Targets targets,
        String consulAddress,
        AgentAccess agent,
        LoadBalancerAccess loadBalancer,
        Drain drain,
        Restart restart,
        Health health) {

    /** Where the new release comes from; {@code {version}} in the URL is replaced by the plan's version. */
    public record Artifact(String url, String sha256) {
    }

    /** The instances to roll: a Consul service (optionally one tag), or explicit host addresses in order. */
    public record Targets(String consulService, String tag, List<String> hosts) {
        public boolean explicit() {
            return !hosts.isEmpty();
        }
    }

    /** How to reach the agent on each host; the token is read from an environment variable, never from the plan. */
    public record AgentAccess(String scheme, int port, String tokenEnv) {
    }

    /** The load balancer's runtime API, for {@code drain.propagation.verify: [loadBalancer]}; null when not configured. */
    public record LoadBalancerAccess(String kind, String runtime, String backend) {
    }

    /** How an instance leaves rotation before its restart: deregister, maintenance, or none (hand-off keeps it in). */
    public record Drain(String mode, Duration timeout, Propagation propagation) {
        public boolean leavesRotation() {
            return !mode.equals("none");
        }
    }

    /**
     * How the engine knows traffic has stopped: each {@code verify} check in order (consul, loadBalancer,
     * traffic), at least {@code minWait}, at most {@code timeout}; or, for comparison, a fixed {@code sleep}.
     */
    public record Propagation(List<String> verify, Duration sleep, Duration minWait, Duration timeout, Duration quietPeriod) {
    }

    public record Restart(String strategy, Duration timeout) {
    }

    /** HTTP probe of each restarted instance; {@code port} 0 means the instance's registered port. */
    public record Health(String path, int expectStatus, int port, Duration tryTimeout, Duration interval, Duration deadline) {
    }
}
