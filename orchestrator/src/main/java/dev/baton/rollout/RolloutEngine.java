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
        return run(plan, new RolloutControl(), Journal.NONE);
    }

    public RolloutResult run(Plan plan, RolloutControl control, Journal journal) {
        return resume(plan, control, journal, Resume.fresh());
    }

    /** Continues a rollout after its orchestrator stopped: settles the host in flight, then rolls the rest. */
    public RolloutResult resume(Plan plan, RolloutControl control, Journal journal, Resume from) {
        Instant start = clock.now();
        emit(Event.Outcome.STARTED, null, plan.service() + " -> " + plan.version());
        List<Instance> instances;
        try {
            instances = targets(plan);
        } catch (StepFailure e) {
            return finish(start, RolloutResult.Status.FAILED, "cannot resolve targets: " + e.getMessage(), Map.of());
        }
        emit(Event.Outcome.OK, null, instances.size() + " hosts: "
                + String.join(", ", instances.stream().map(Instance::label).toList()));

        Map<String, RolloutResult.HostState> states = new LinkedHashMap<>();
        instances.forEach(i -> states.put(i.id(), RolloutResult.HostState.PENDING));
        states.putAll(from.settled());
        for (Instance instance : instances) {
            if (from.settled().containsKey(instance.id())) continue;
            try {
                if (control.awaitWhilePaused(clock, Duration.ofHours(24)) != RolloutControl.Decision.CONTINUE) {
                    return finish(start, RolloutResult.Status.ABORTED, "stopped by operator before " + instance.id(), states);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return finish(start, RolloutResult.Status.FAILED, "interrupted before " + instance.id(), states);
            }
            HostRollout host = new HostRollout(instance, plan, ports, journal);
            RolloutResult.HostState state = host.run();
            states.put(instance.id(), state);
            journal.settled(instance.id(), state, state == RolloutResult.HostState.DONE ? plan.version() : null);
            if (state != RolloutResult.HostState.DONE) {
                return finish(start, RolloutResult.Status.FAILED, instance.id() + " failed: " + host.failure(), states);
            }
            if (Thread.currentThread().isInterrupted()) {
                return finish(start, RolloutResult.Status.FAILED, "interrupted after " + instance.id(), states);
            }
        }
        return finish(start, RolloutResult.Status.SUCCEEDED, instances.size() + " hosts on " + plan.version(), states);
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

    private RolloutResult finish(Instant start, RolloutResult.Status status, String summary, Map<String, RolloutResult.HostState> states) {
        Duration took = Duration.between(start, clock.now());
        boolean ok = status == RolloutResult.Status.SUCCEEDED;
        events.emit(new Event(clock.now(), null, ROLLOUT, ok ? Event.Outcome.OK : Event.Outcome.FAILED, took, summary));
        return new RolloutResult(status, summary, Map.copyOf(states));
    }

    private void emit(Event.Outcome outcome, Duration took, String detail) {
        events.emit(new Event(clock.now(), null, ROLLOUT, outcome, took, detail));
    }
}
