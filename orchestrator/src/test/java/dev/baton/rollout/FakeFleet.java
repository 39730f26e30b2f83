package dev.baton.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * In-memory registry, hosts and probe sharing one view of a small fleet, so that engine tests can
 * check the invariants (who is registered, who is out, what version runs) after every step.
 */
final class FakeFleet implements Registry, HostControl, HealthProbe, LoadBalancer {
    final FakeClock clock;
    final Map<String, Instance> instances = new LinkedHashMap<>();
    final Map<String, Registration> registered = new LinkedHashMap<>();
    final Map<String, String> maintenance = new LinkedHashMap<>();
    final Map<String, String> versions = new LinkedHashMap<>();
    final Set<String> unhealthy = new HashSet<>();
    final List<String> calls = new ArrayList<>();
    int maxOut;

    /** Per-test behaviour overrides. */
    Function<Instance, String> restartFailure = i -> null;
    Set<String> hangingRestarts = new HashSet<>();
    Set<String> stuckPassing = new HashSet<>();
    Set<String> neverPassingAfterJoin = new HashSet<>();
    Set<String> failingSave = new HashSet<>();
    boolean registryDown;
    Set<String> healthyOnlyAfterRestartFor = new HashSet<>();

    FakeFleet(FakeClock clock, int hosts) {
        this.clock = clock;
        for (int n = 1; n <= hosts; n++) {
            Instance instance = new Instance("web-" + n, "web", "node-" + n, "10.0.0." + n, 8080);
            instances.put(instance.id(), instance);
            Map<String, Object> definition = new LinkedHashMap<>();
            definition.put("ID", instance.id());
            definition.put("Name", "web");
            definition.put("Tags", List.of("prod"));
            definition.put("Meta", Map.of("zone", "z" + n));
            registered.put(instance.id(), new Registration(instance, definition));
            versions.put(instance.id(), "1.0.0");
        }
    }

    int outOfRegistry() {
        return instances.size() - registered.size();
    }

    boolean passing(String id) {
        return registered.containsKey(id) && !maintenance.containsKey(id) && !unhealthy.contains(id)
                && !(neverPassingAfterJoin.contains(id) && !versions.get(id).equals("1.0.0"));
    }

    @Override
    public List<Instance> instances(String service, String tag) throws StepFailure {
        if (registryDown) throw new StepFailure("Consul is unreachable");
        return registered.values().stream().map(Registration::instance).filter(i -> i.service().equals(service)).toList();
    }

    @Override
    public Registration save(Instance instance) throws StepFailure {
        calls.add("save " + instance.id());
        if (failingSave.contains(instance.id()) || registryDown) throw new StepFailure("Consul is unreachable");
        return registered.get(instance.id());
    }

    @Override
    public void deregister(Instance instance) throws StepFailure {
        calls.add("deregister " + instance.id());
        if (registryDown) throw new StepFailure("Consul is unreachable");
        registered.remove(instance.id());
        maxOut = Math.max(maxOut, outOfRegistry());
    }

    @Override
    public void register(Registration registration) throws StepFailure {
        calls.add("register " + registration.instance().id());
        if (registryDown) throw new StepFailure("Consul is unreachable");
        registered.put(registration.instance().id(), registration);
    }

    @Override
    public void maintenance(Instance instance, boolean enable, String reason) throws StepFailure {
        calls.add("maintenance " + instance.id());
        if (registryDown) throw new StepFailure("Consul is unreachable");
        if (enable) maintenance.put(instance.id(), reason);
        else maintenance.remove(instance.id());
    }

    @Override
    public boolean awaitPassing(Instance instance, boolean passing, Duration timeout) throws StepFailure {
        if (registryDown) throw new StepFailure("Consul is unreachable");
        boolean now = stuckPassing.contains(instance.id()) || passing(instance.id());
        if (now == passing) return true;
        clock.sleep(timeout);
        return false;
    }

    @Override
    public RestartReport restart(Instance host, RestartOrder order, Duration timeout) throws StepFailure {
        calls.add("restart " + host.id() + " " + order.version());
        if (hangingRestarts.contains(host.id())) {
            clock.sleep(timeout);
            throw new StepFailure("agent did not finish within " + timeout);
        }
        String failure = restartFailure.apply(host);
        if (failure != null) throw new StepFailure(failure);
        versions.put(host.id(), order.version());
        return new RestartReport(1L, 2L, List.of(new RestartReport.Phase("drain", "SUCCEEDED", Duration.ofMillis(5), null)));
    }

    /** Instances the load balancer keeps routing to / that keep receiving traffic. */
    Set<String> stuckInLoadBalancer = new HashSet<>();
    Set<String> busy = new HashSet<>();
    Duration loadBalancerLag = Duration.ofMillis(150);
    Duration quietAfter = Duration.ofMillis(600);

    @Override
    public boolean awaitOutOfRotation(Instance instance, Duration timeout) {
        calls.add("lb " + instance.id());
        if (stuckInLoadBalancer.contains(instance.id())) {
            clock.sleep(timeout);
            return false;
        }
        clock.sleep(loadBalancerLag);
        return true;
    }

    @Override
    public boolean awaitQuiet(Instance host, Duration quietPeriod, Duration timeout) {
        calls.add("quiet " + host.id() + " " + quietPeriod.toMillis());
        if (busy.contains(host.id())) {
            clock.sleep(timeout);
            return false;
        }
        clock.sleep(quietAfter);
        return true;
    }

    @Override
    public Result check(Instance instance) {
        calls.add("probe " + instance.id());
        boolean healthy = !unhealthy.contains(instance.id());
        return new Result(healthy, healthy ? "200" : "503");
    }
}
