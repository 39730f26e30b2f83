package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;

/**
 * One host's way through the rollout: LEAVE, PROPAGATE, RESTART, CHECK, JOIN. When a step fails the
 * host is never left out silently: it is put back if healthy (RESTORE), otherwise registered again in
 * maintenance with the reason (PARK).
 */
final class HostRollout {
    private final Instance instance;
    private final Plan plan;
    private final Registry registry;
    private final HostControl hosts;
    private final HealthProbe probe;
    private final Clock clock;
    private final EventSink events;

    private Registration saved;
    private String failure;

    HostRollout(Instance instance, Plan plan, Registry registry, HostControl hosts, HealthProbe probe,
                Clock clock, EventSink events) {
        this.instance = instance;
        this.plan = plan;
        this.registry = registry;
        this.hosts = hosts;
        this.probe = probe;
        this.clock = clock;
        this.events = events;
    }

    String failure() {
        return failure;
    }

    RolloutResult.HostState run() {
        try {
            step(Step.LEAVE, this::leave);
            step(Step.PROPAGATE, this::propagate);
            step(Step.RESTART, this::restart);
            step(Step.CHECK, this::check);
            step(Step.JOIN, this::join);
            return RolloutResult.HostState.DONE;
        } catch (StepFailure e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            failure = "interrupted";
        }
        boolean interrupted = Thread.interrupted();
        try {
            return recover();
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private String leave() throws StepFailure {
        saved = registry.save(instance);
        registry.deregister(instance);
        return "deregistered " + instance.id() + " (registration saved)";
    }

    private String propagate() throws StepFailure, InterruptedException {
        Duration timeout = plan.drain().propagationTimeout();
        if (!registry.awaitPassing(instance, false, timeout)) {
            throw new StepFailure("Consul still reports " + instance.id() + " passing after " + Durations.format(timeout));
        }
        return "gone from Consul's passing set";
    }

    private String restart() throws StepFailure, InterruptedException {
        Plan.Artifact artifact = plan.artifact();
        RestartOrder order = new RestartOrder(plan.version(), artifact.url(), artifact.sha256(),
                plan.restart().strategy(), plan.drain().timeout(), plan.restart().timeout());
        return hosts.restart(instance, order, plan.restart().timeout()).summary();
    }

    private String check() throws StepFailure, InterruptedException {
        Duration deadline = plan.health().deadline();
        Instant until = clock.now().plus(deadline);
        HealthProbe.Result last = probe.check(instance);
        while (!last.healthy()) {
            if (!clock.now().isBefore(until)) {
                throw new StepFailure("not healthy after " + Durations.format(deadline) + ": " + last.detail());
            }
            clock.sleep(plan.health().interval());
            last = probe.check(instance);
        }
        return last.detail();
    }

    private String join() throws StepFailure, InterruptedException {
        registry.register(saved);
        awaitPassingInConsul();
        return "registered again and passing in Consul";
    }

    private void awaitPassingInConsul() throws StepFailure, InterruptedException {
        Duration deadline = plan.health().deadline();
        if (!registry.awaitPassing(instance, true, deadline)) {
            throw new StepFailure("Consul does not report " + instance.id() + " passing after " + Durations.format(deadline));
        }
    }

    private RolloutResult.HostState recover() {
        if (saved == null) {
            return RolloutResult.HostState.RESTORED;
        }
        try {
            HealthProbe.Result health = probe.check(instance);
            if (health.healthy()) {
                step(Step.RESTORE, () -> {
                    registry.register(saved);
                    awaitPassingInConsul();
                    return "healthy, back in rotation: " + health.detail();
                });
                return RolloutResult.HostState.RESTORED;
            }
            park("unhealthy (" + health.detail() + ") after: " + failure);
        } catch (StepFailure | InterruptedException e) {
            park(failure + "; then: " + e.getMessage());
        }
        return RolloutResult.HostState.PARKED;
    }

    private void park(String reason) {
        Instant start = clock.now();
        try {
            registry.register(saved);
            registry.maintenance(instance, true, "baton: parked: " + reason);
            emit(Step.PARK, Event.Outcome.FAILED, start, "registered in maintenance, out of rotation: " + reason);
        } catch (StepFailure e) {
            emit(Step.PARK, Event.Outcome.FAILED, start, "NOT back in Consul (" + e.getMessage() + "); reason: " + reason
                    + "; saved registration: " + saved.definition());
        }
    }

    @FunctionalInterface
    private interface Action {
        String run() throws StepFailure, InterruptedException;
    }

    private void step(Step step, Action action) throws StepFailure, InterruptedException {
        Instant start = clock.now();
        events.emit(new Event(start, instance.id(), step.name(), Event.Outcome.STARTED, null, null));
        try {
            String detail = action.run();
            emit(step, Event.Outcome.OK, start, detail);
        } catch (StepFailure e) {
            emit(step, Event.Outcome.FAILED, start, e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            emit(step, Event.Outcome.FAILED, start, "interrupted");
            throw e;
        }
    }

    private void emit(Step step, Event.Outcome outcome, Instant start, String detail) {
        Instant now = clock.now();
        events.emit(new Event(now, instance.id(), step.name(), outcome, Duration.between(start, now), detail));
    }
}
