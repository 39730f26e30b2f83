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
final class FakeFleet implements Registry, HostControl, HealthProbe, LoadBalancer, HookRunner {
    final FakeClock clock;
    final Map<String, Instance> instances = new LinkedHashMap<>();
    final Map<String, Registration> registered = new LinkedHashMap<>();
    final Map<String, String> maintenance = new LinkedHashMap<>();
    final Map<String, String> versions = new LinkedHashMap<>();
    final Set<String> unhealthy = new HashSet<>();
    final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    int maxOut;

    /** Per-test behaviour overrides. */
    Function<Instance, String> restartFailure = i -> null;
    Set<String> hangingRestarts = new HashSet<>();
    Set<String> stuckPassing = new HashSet<>();
    Set<String> neverPassingAfterJoin = new HashSet<>();
    Set<String> failingSave = new HashSet<>();
    boolean registryDown;
    /** Hosts whose new release switches but never turns healthy (the agent reports the previous version). */
    Set<String> switchThenFail = new HashSet<>();

    FakeFleet(FakeClock clock, int hosts) {
        this.clock = clock;
        for (int n = 1; n <= hosts; n++) {
            Instance instance = new Instance("web-" + n, "web", "node-" + n, "10.0.0." + n, 8080,
                    Map.of("zone", n % 2 == 1 ? "zone-a" : "zone-b"));
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

    /** Instances out of rotation: deregistered or in maintenance. */
    int outOfRegistry() {
        int out = instances.size() - registered.size();
        for (String id : maintenance.keySet()) if (registered.containsKey(id)) out++;
        return out;
    }

    boolean isPassing(String id) {
        return registered.containsKey(id) && !maintenance.containsKey(id) && !unhealthy.contains(id)
                && !(neverPassingAfterJoin.contains(id) && !versions.get(id).equals("1.0.0"));
    }

    @Override
    public List<Instance> instances(String service, String tag) throws StepFailure {
        if (registryDown) throw new StepFailure("Consul is unreachable");
        return registered.values().stream().map(Registration::instance).filter(i -> i.service().equals(service)).toList();
    }

    /** Runs as the capacity guard (or the census) starts counting the passing instances. */
    volatile Runnable onPassing = () -> { };

    @Override
    public Set<String> passing(String service) throws StepFailure {
        onPassing.run();
        calls.add("passing");
        if (registryDown) throw new StepFailure("Consul is unreachable");
        Set<String> ids = new java.util.TreeSet<>();
        for (String id : registered.keySet()) if (isPassing(id)) ids.add(id);
        return ids;
    }

    /** Hook commands that fail (exit 1), and every hook run, in order: "name host command". */
    Set<String> failingHooks = new HashSet<>();
    final List<String> hooks = new ArrayList<>();

    /** Hosts whose fetch fails, and hosts whose fetch waits (outside the fleet's lock, at most 10 s, deaf to interrupts) for a latch. */
    final Set<String> failingPrepare = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final Map<String, java.util.concurrent.CountDownLatch> slowPrepare = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void prepare(Instance host, RestartOrder order) throws StepFailure {
        calls.add("prepare " + host.id() + " " + order.version());
        if (order.artifactUrl() == null) throw new StepFailure("prepare without artifact");
        java.util.concurrent.CountDownLatch slow = slowPrepare.get(host.id());
        if (slow != null) {
            // like a blocking HTTP read, the wait ignores interrupts
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            boolean interrupted = false;
            while (slow.getCount() > 0 && System.nanoTime() < until) {
                try {
                    slow.await(until - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (slow.getCount() > 0) throw new StepFailure("the fetch stalled");
            calls.add("prepared " + host.id());
        }
        if (failingPrepare.contains(host.id())) throw new StepFailure("the artifact server answered 503");
    }

    @Override
    public HookResult runHook(Instance host, String name, dev.baton.plan.Plan.Hook hook, Map<String, String> env) {
        return hook(name + " " + host.id() + " " + hook.command() + " " + env.get("BATON_VERSION"), hook.command());
    }

    @Override
    public HookResult run(String phase, String hook, Map<String, String> env) {
        return hook(phase + " - " + hook + " " + env.get("BATON_VERSION"), hook);
    }

    private synchronized HookResult hook(String line, String command) {
        hooks.add(line);
        boolean fails = failingHooks.contains(command);
        return new HookResult(fails ? 1 : 0, false, Duration.ofMillis(3), fails ? "boom" : "fine");
    }

    @Override
    public synchronized Registration save(Instance instance) throws StepFailure {
        calls.add("save " + instance.id());
        if (failingSave.contains(instance.id()) || registryDown) throw new StepFailure("Consul is unreachable");
        return registered.get(instance.id());
    }

    /** Instances whose saved registration could not go back whole (checks the registry withholds). */
    Set<String> lossy = new HashSet<>();

    @Override
    public String lostOnReregister(Registration saved) {
        return lossy.contains(saved.instance().id()) ? "check \"web-health\" (http: headers, body, TLS options)" : null;
    }

    @Override
    public synchronized void deregister(Instance instance) throws StepFailure {
        calls.add("deregister " + instance.id());
        if (registryDown) throw new StepFailure("Consul is unreachable");
        registered.remove(instance.id());
        maxOut = Math.max(maxOut, outOfRegistry());
    }

    @Override
    public synchronized void register(Registration registration) throws StepFailure {
        calls.add("register " + registration.instance().id());
        if (registryDown) throw new StepFailure("Consul is unreachable");
        registered.put(registration.instance().id(), registration);
    }

    @Override
    public synchronized void maintenance(Instance instance, boolean enable, String reason) throws StepFailure {
        calls.add("maintenance " + instance.id());
        if (registryDown) throw new StepFailure("Consul is unreachable");
        if (enable) maintenance.put(instance.id(), reason);
        else maintenance.remove(instance.id());
        maxOut = Math.max(maxOut, outOfRegistry());
    }

    @Override
    public synchronized boolean awaitPassing(Instance instance, boolean passing, Duration timeout) throws StepFailure {
        if (registryDown) throw new StepFailure("Consul is unreachable");
        boolean now = stuckPassing.contains(instance.id()) || isPassing(instance.id());
        if (now == passing) return true;
        clock.sleep(timeout);
        return false;
    }

    /** When set, each restart waits (bounded) until this many hosts restart at the same time. */
    java.util.concurrent.CyclicBarrier restartBarrier;

    @Override
    public RestartReport restart(Instance host, RestartOrder order, Duration timeout) throws StepFailure {
        if (restartBarrier != null) {
            try {
                restartBarrier.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new StepFailure("hosts did not restart in parallel: " + e);
            }
        }
        return restartNow(host, order, timeout);
    }

    private synchronized RestartReport restartNow(Instance host, RestartOrder order, Duration timeout) throws StepFailure {
        calls.add("restart " + host.id() + " " + order.version());
        if (hangingRestarts.contains(host.id())) {
            clock.sleep(timeout);
            throw new StepFailure("agent did not finish within " + timeout);
        }
        String before = versions.get(host.id());
        if (switchThenFail.contains(host.id()) && order.version().equals("2.0.0")) {
            versions.put(host.id(), order.version());
            unhealthy.add(host.id());
            throw new RestartFailed("app not ready after 45s: last answer 503", before);
        }
        String failure = restartFailure.apply(host);
        if (failure != null) throw new StepFailure(failure);
        versions.put(host.id(), order.version());
        if (order.version().equals("1.0.0")) unhealthy.remove(host.id());
        return new RestartReport(1L, 2L, before, List.of(new RestartReport.Phase("drain", "SUCCEEDED", Duration.ofMillis(5), null)));
    }

    /** Instances the load balancer keeps routing to / that keep receiving traffic. */
    Set<String> stuckInLoadBalancer = new HashSet<>();
    Set<String> busy = new HashSet<>();
    Duration loadBalancerLag = Duration.ofMillis(150);
    Duration quietAfter = Duration.ofMillis(600);

    @Override
    public synchronized boolean awaitOutOfRotation(Instance instance, Duration timeout) {
        calls.add("lb " + instance.id());
        if (stuckInLoadBalancer.contains(instance.id())) {
            clock.sleep(timeout);
            return false;
        }
        clock.sleep(loadBalancerLag);
        return true;
    }

    @Override
    public synchronized boolean awaitQuiet(Instance host, Duration quietPeriod, Duration timeout) {
        calls.add("quiet " + host.id() + " " + quietPeriod.toMillis());
        if (busy.contains(host.id())) {
            clock.sleep(timeout);
            return false;
        }
        clock.sleep(quietAfter);
        return true;
    }

    @Override
    public synchronized Result check(Instance instance) {
        calls.add("probe " + instance.id());
        boolean healthy = !unhealthy.contains(instance.id());
        return new Result(healthy, healthy ? "200" : "503");
    }
}
