package dev.baton.chaos;

import dev.baton.fleet.LocalFleet;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.HostControl;
import dev.baton.rollout.Instance;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the chaos suite (agent-drips: web-1's rollback failed on a healthy agent): the agent closes a keep-alive
 * connection after 5 s idle (agent ApiServer.IDLE_TIMEOUT), the agent client keeps it pooled and never retries
 * (AgentCall: retryOnConnectionFailure(false)); OkHttp only checks a pooled connection's health after 10 s idle, so a
 * call 5-10 s after the previous one to the same agent fails with "unexpected end of stream" and the host's step fails.
 */
class IdleAgentConnectionTest {
    @Test
    @Disabled("bug: agent ApiServer.IDLE_TIMEOUT 5s vs agentclient AgentCall pooled connections without retry: a call 5-10 s after the last one fails")
    void aCallSevenSecondsAfterTheLastOneToTheSameAgentSucceeds() throws Exception {
        try (LocalFleet fleet = LocalFleet.start("web", 1, ChaosSuite.GOOD)) {
            Plan plan = new PlanLoader().parse("plan.yaml", java.nio.file.Files.readString(fleet.writePlan("1.0.1", null)));
            HostControl hosts = Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, fleet.agentToken(), e -> { }).hosts();
            LocalFleet.Host host = fleet.hosts().get(0);
            Instance instance = new Instance(host.serviceId(), "web", "baton-dev", host.address(), LocalFleet.APP_PORT);

            assertThat(hosts.awaitQuiet(instance, Duration.ofMillis(100), Duration.ofSeconds(5))).isTrue();
            Thread.sleep(7_000);
            assertThat(hosts.awaitQuiet(instance, Duration.ofMillis(100), Duration.ofSeconds(5))).isTrue();
        }
    }
}
