package dev.baton.wiring;

import dev.baton.agentclient.AgentHostControl;
import dev.baton.consul.ConsulClient;
import dev.baton.consul.ConsulRegistry;
import dev.baton.health.HttpHealthProbe;
import dev.baton.hooks.CommandHookRunner;
import dev.baton.hooks.DeployHooks;
import dev.baton.lb.HaproxyLoadBalancer;
import dev.baton.lb.HaproxyRuntime;
import dev.baton.plan.Plan;
import dev.baton.rollout.Clock;
import dev.baton.rollout.EventSink;
import dev.baton.rollout.HookRunner;
import dev.baton.store.Redactor;
import dev.baton.rollout.Ports;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import java.time.Duration;

/** Builds the engine's ports from the real adapters, for a plan. */
public final class Adapters {
    private Adapters() {
    }

    /** With no deploy hooks defined: a plan naming one fails at its hook. */
    public static Ports forPlan(Plan plan, HttpUrl consul, String consulToken, String agentToken, EventSink events) {
        return forPlan(plan, consul, consulToken, agentToken,
                new CommandHookRunner(DeployHooks.none(), new Redactor(java.util.List.of(agentToken == null ? "" : agentToken))), events);
    }

    /**
     * @param consulToken Consul ACL token or null
     * @param agentToken  the agents' bearer token
     * @param hooks       runs the deploy hooks the plan names
     */
    public static Ports forPlan(Plan plan, HttpUrl consul, String consulToken, String agentToken, HookRunner hooks,
                                EventSink events) {
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(3)).build();
        Plan.LoadBalancerAccess lb = plan.loadBalancer();
        return new Ports(
                new ConsulRegistry(new ConsulClient(http, consulToken), consul),
                new AgentHostControl(http, plan.agent().scheme(), plan.agent().port(), agentToken, Clock.SYSTEM),
                new HttpHealthProbe(http, plan.health()),
                lb == null ? null : new HaproxyLoadBalancer(new HaproxyRuntime(lb.runtime()), lb.backend()),
                hooks,
                Clock.SYSTEM,
                events);
    }
}
