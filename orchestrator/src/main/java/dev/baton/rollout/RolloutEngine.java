package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rolls a plan across its instances, one host at a time, stopping at the first host that fails. */
public final class RolloutEngine {
    static final String ROLLOUT = "ROLLOUT";

    private final Ports ports;
    private final Registry registry;
    private final Clock clock;
    private final EventSink events;

    public RolloutEngine(Ports ports) {
        this.ports = ports;
        this.registry = ports.registry();
        this.clock = ports.clock();
        this.events = ports.events();
    }

    public RolloutResult run(Plan plan) {
        Instant start = clock.now();
        emit(Event.Outcome.STARTED, null, plan.service() + " -> " + plan.version());
        List<Instance> instances;
        try {
            instances = targets(plan);
        } catch (StepFailure e) {
            return finish(start, false, "cannot resolve targets: " + e.getMessage(), Map.of());
        }
        emit(Event.Outcome.OK, null, instances.size() + " hosts: "
                + String.join(", ", instances.stream().map(Instance::label).toList()));

        Map<String, RolloutResult.HostState> states = new LinkedHashMap<>();
        instances.forEach(i -> states.put(i.id(), RolloutResult.HostState.PENDING));
        for (Instance instance : instances) {
            HostRollout host = new HostRollout(instance, plan, ports);
            RolloutResult.HostState state = host.run();
            states.put(instance.id(), state);
            if (state != RolloutResult.HostState.DONE) {
                return finish(start, false, instance.id() + " failed: " + host.failure(), states);
            }
            if (Thread.currentThread().isInterrupted()) {
                return finish(start, false, "interrupted after " + instance.id(), states);
            }
        }
        return finish(start, true, instances.size() + " hosts on " + plan.version(), states);
    }

    private List<Instance> targets(Plan plan) throws StepFailure {
        Plan.Targets targets = plan.targets();
        List<Instance> registered = registry.instances(targets.consulService(), targets.tag());
        if (!targets.explicit()) {
            if (registered.isEmpty()) {
                throw new StepFailure("no instance of " + targets.consulService()
                        + (targets.tag() == null ? "" : " with tag " + targets.tag()) + " is registered in Consul");
            }
            return registered;
        }
        List<Instance> chosen = new ArrayList<>();
        for (String host : targets.hosts()) {
            List<Instance> onHost = registered.stream().filter(i -> i.address().equals(host)).toList();
            if (onHost.isEmpty()) {
                throw new StepFailure("host " + host + " has no instance of " + targets.consulService() + " in Consul");
            }
            chosen.addAll(onHost);
        }
        return chosen;
    }

    private RolloutResult finish(Instant start, boolean ok, String summary, Map<String, RolloutResult.HostState> states) {
        Duration took = Duration.between(start, clock.now());
        events.emit(new Event(clock.now(), null, ROLLOUT, ok ? Event.Outcome.OK : Event.Outcome.FAILED, took, summary));
        return new RolloutResult(ok, summary, Map.copyOf(states));
    }

    private void emit(Event.Outcome outcome, Duration took, String detail) {
        events.emit(new Event(clock.now(), null, ROLLOUT, outcome, took, detail));
    }
}
