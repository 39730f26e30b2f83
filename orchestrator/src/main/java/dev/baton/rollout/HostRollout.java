package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
    private final LoadBalancer loadBalancer;
    private final Clock clock;
    private final EventSink events;

    private Registration saved;
    private String failure;

    private final Journal journal;

    HostRollout(Instance instance, Plan plan, Ports ports, Journal journal) {
        this.journal = journal;
        this.instance = instance;
        this.plan = plan;
        this.registry = ports.registry();
        this.hosts = ports.hosts();
        this.probe = ports.probe();
        this.loadBalancer = ports.loadBalancer();
        this.clock = ports.clock();
        this.events = ports.events();
    }

    String failure() {
        return failure;
    }

    RolloutResult.HostState run() {
        try {
            if (plan.drain().leavesRotation()) {
                step(Step.LEAVE, this::leave);
                step(Step.PROPAGATE, this::propagate);
            } else {
                saved = registry.save(instance);
                skip(Step.LEAVE, "stays in rotation: hand-off restart with drain.mode none");
                skip(Step.PROPAGATE, "stays in rotation");
            }
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
        journal.leaving(saved);
        if (maintenanceMode()) {
            registry.maintenance(instance, true, "baton: rolling out " + plan.service() + " " + plan.version());
            return "in maintenance (registration kept)";
        }
        registry.deregister(instance);
        return "deregistered " + instance.id() + " (registration saved)";
    }

    private String propagate() throws StepFailure, InterruptedException {
        Plan.Propagation propagation = plan.drain().propagation();
        Instant start = clock.now();
        if (propagation.sleep() != null) {
            clock.sleep(propagation.sleep());
            return "slept a fixed " + Durations.format(propagation.sleep()) + " (not verified)";
        }
        List<String> verified = new ArrayList<>();
        for (String check : propagation.verify()) {
            Instant checkStart = clock.now();
            Duration left = propagation.timeout().minus(Duration.between(start, checkStart));
            if (left.isNegative() || left.isZero() || !verify(check, left)) {
                throw new StepFailure(check + " not verified within " + Durations.format(propagation.timeout())
                        + ": " + unverifiedReason(check));
            }
            verified.add(check + " " + Durations.format(Duration.between(checkStart, clock.now())));
        }
        Duration floor = propagation.minWait().minus(Duration.between(start, clock.now()));
        if (floor.compareTo(Duration.ZERO) > 0) {
            clock.sleep(floor);
            verified.add("minWait +" + Durations.format(floor));
        }
        return verified.isEmpty() ? "not verified (verify: [])" : "verified: " + String.join(", ", verified);
    }

    private boolean verify(String check, Duration timeout) throws StepFailure, InterruptedException {
        return switch (check) {
            case "consul" -> registry.awaitPassing(instance, false, timeout);
            case "loadBalancer" -> loadBalancer.awaitOutOfRotation(instance, timeout);
            case "traffic" -> hosts.awaitQuiet(instance, plan.drain().propagation().quietPeriod(), timeout);
            default -> throw new IllegalStateException("unknown propagation check " + check);
        };
    }

    private String unverifiedReason(String check) {
        return switch (check) {
            case "consul" -> "Consul still reports " + instance.id() + " passing";
            case "loadBalancer" -> "the load balancer still routes to " + instance.address() + ":" + instance.port();
            default -> "requests still arrive at " + instance.address() + ":" + instance.port();
        };
    }

    private String restart() throws StepFailure, InterruptedException {
        Plan.Artifact artifact = plan.artifact();
        RestartOrder order = new RestartOrder(plan.version(), artifact.url(), artifact.sha256(),
                plan.restart().strategy(), plan.drain().timeout(), plan.health().deadline());
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
        putBack();
        awaitPassingInConsul();
        return plan.drain().leavesRotation() ? "back in rotation, passing in Consul" : "passing in Consul";
    }

    private void putBack() throws StepFailure {
        if (maintenanceMode()) registry.maintenance(instance, false, null);
        else if (plan.drain().leavesRotation()) registry.register(saved);
    }

    private boolean maintenanceMode() {
        return plan.drain().mode().equals("maintenance");
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
                    putBack();
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
            if (plan.drain().mode().equals("deregister")) registry.register(saved);
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

    private void skip(Step step, String why) {
        events.emit(new Event(clock.now(), instance.id(), step.name(), Event.Outcome.SKIPPED, Duration.ZERO, why));
    }

    private void emit(Step step, Event.Outcome outcome, Instant start, String detail) {
        Instant now = clock.now();
        events.emit(new Event(now, instance.id(), step.name(), outcome, Duration.between(start, now), detail));
    }
}
