package dev.baton.wiring;

import dev.baton.agentclient.AgentCredentials;
import dev.baton.agentclient.AgentHostControl;
import dev.baton.consul.ConsulClient;
import dev.baton.consul.ConsulRegistry;
import dev.baton.health.HttpHealthProbe;
import dev.baton.hooks.CommandHookRunner;
import dev.baton.hooks.DeployHooks;
import dev.baton.lb.HaproxyLoadBalancer;
import dev.baton.lb.HaproxyRuntime;
import dev.baton.lb.HaproxyTraffic;
import dev.baton.plan.Plan;
import dev.baton.prometheus.PrometheusTraffic;
import dev.baton.ssh.SshConnector;
import dev.baton.ssh.SshHostControl;
import dev.baton.ssh.SshSettings;
import dev.baton.rollout.Clock;
import dev.baton.rollout.EventSink;
import dev.baton.rollout.HookRunner;
import dev.baton.rollout.HostControl;
import dev.baton.store.Redactor;
import dev.baton.rollout.Ports;
import dev.baton.rollout.TrafficSource;
import dev.baton.wire.NoDelaySockets;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import java.time.Duration;

/** Builds the engine's ports from the real adapters, for a plan. */
public final class Adapters {
    private Adapters() {
    }

    /** With no deploy hooks defined (a plan naming one fails at its hook); mutual TLS from the environment. */
    public static Ports forPlan(Plan plan, HttpUrl consul, String consulToken, String agentToken, EventSink events) {
        return forPlan(plan, consul, consulToken, AgentCredentials.of(agentToken, System::getenv), events);
    }

    /** With no deploy hooks defined. */
    public static Ports forPlan(Plan plan, HttpUrl consul, String consulToken, AgentCredentials agents, EventSink events) {
        return forPlan(plan, consul, consulToken, agents, new CommandHookRunner(DeployHooks.none(),
                new Redactor(agents.token() == null ? java.util.List.of() : java.util.List.of(agents.token()))), events);
    }

    /** Mutual TLS with the agents from the environment ({@link AgentCredentials#of}). */
    public static Ports forPlan(Plan plan, HttpUrl consul, String consulToken, String agentToken, HookRunner hooks,
                                EventSink events) {
        return forPlan(plan, consul, consulToken, AgentCredentials.of(agentToken, System::getenv), hooks, events);
    }

    /**
     * @param consulToken Consul ACL token or null
     * @param agents      how Baton proves itself to the agents (token, mutual TLS)
     * @param hooks       runs the deploy hooks the plan names
     * @throws IllegalArgumentException when the agents' TLS credentials are configured but cannot be loaded
     */
    public static Ports forPlan(Plan plan, HttpUrl consul, String consulToken, AgentCredentials agents, HookRunner hooks,
                                EventSink events) {
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(3)).socketFactory(new NoDelaySockets()).build();
        Plan.LoadBalancerAccess lb = plan.loadBalancer();
        TrafficSource traffic = lb == null ? null : new HaproxyTraffic(new HaproxyRuntime(lb.runtime()), lb.backend());
        TrafficSource analysed = plan.analysis() != null && plan.analysis().prometheus() != null
                ? new PrometheusTraffic(http, plan.analysis().prometheus()) : traffic;
        return new Ports(
                new ConsulRegistry(new ConsulClient(http, consulToken), consul, plan.drain().mode() == Plan.DrainMode.DEREGISTER),
                hostControl(plan, http, agents),
                new HttpHealthProbe(http, plan.health()),
                lb == null ? null : new HaproxyLoadBalancer(new HaproxyRuntime(lb.runtime()), lb.backend()),
                hooks,
                Clock.SYSTEM,
                events,
                traffic,
                analysed);
    }

    /** The agent on each host, or Baton itself over SSH for {@code restart.via: ssh}. */
    public static HostControl hostControl(Plan plan, OkHttpClient http, AgentCredentials agents) {
        if (plan.restart().via() == Plan.RestartVia.SSH) {
            return new SshHostControl(new SshConnector(SshSettings.from(plan.ssh())), plan.ssh().app(), plan.ssh().allowHooks(),
                    plan.service());
        }
        return new AgentHostControl(http, plan.agent().scheme(), plan.agent().port(), agents, Clock.SYSTEM);
    }
}
