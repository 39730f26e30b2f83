package dev.baton.chaos;

import dev.baton.fleet.LocalFleet;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Registry;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the chaos suite (agent-killed, agent-killed-stays, host-unreachable: the parked host showed "baton: rolling
 * out web 2.0.N" in Consul). In maintenance mode LEAVE puts the instance in maintenance with the reason "baton: rolling
 * out ..."; PARK (HostRollout.park) then asks for maintenance again with "baton: parked: <why>", but Consul's
 * EnableServiceMaintenance returns early when the maintenance check already exists (consul agent/agent.go), and
 * ConsulRegistry.maintenance only PUTs enable=true: the parked reason never reaches Consul, and the host looks as if
 * it were still being rolled.
 */
class ParkReasonTest {
    @Test
    @Disabled("bug: ConsulRegistry.maintenance(enable=true, reason) cannot change the reason of an instance already in maintenance; HostRollout.park relies on it")
    void parkingAnInstanceAlreadyInMaintenanceShowsTheParkedReasonInConsul() throws Exception {
        try (LocalFleet fleet = LocalFleet.start("web", 1, ChaosSuite.GOOD)) {
            Plan plan = new PlanLoader().parse("plan.yaml", java.nio.file.Files.readString(fleet.writePlan("1.0.1", null)));
            Registry registry = Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, fleet.agentToken(), e -> { }).registry();
            LocalFleet.Host host = fleet.hosts().get(0);
            Instance instance = new Instance(host.serviceId(), "web", "baton-dev", host.address(), LocalFleet.APP_PORT);

            registry.maintenance(instance, true, "baton: rolling out web 1.0.1");
            registry.maintenance(instance, true, "baton: parked: unhealthy after the restart");

            FleetCheck.InstanceState state = FleetCheck.read(fleet).get(host.serviceId());
            assertThat(state.detail()).isEqualTo("baton: parked: unhealthy after the restart");
            assertThat(state.kind()).isEqualTo(FleetCheck.InstanceState.Kind.PARKED);
        }
    }
}
