package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One host's way through the rollout: BEFORE_HOST, LEAVE, PROPAGATE, RESTART, CHECK, JOIN, AFTER_HOST
 * (its PREPARE runs earlier, for every host at once, see {@link RolloutRun}). When a step fails the host is never left out silently: it is put back if healthy (RESTORE),
 * otherwise registered again in maintenance with the reason (PARK).
 */
final class HostRollout {
    private final Instance instance;
    private final Plan plan;
    private final String version;
    private final Registry registry;
    private final HostControl hosts;
    private final HealthProbe probe;
    private final LoadBalancer loadBalancer;
    private final Clock clock;
    private final EventSink events;
    private final Journal journal;

    private Registration saved;
    private String failure;
    private String previousVersion;

    /** Rolls {@code instance} to {@code version}: the plan's, or the previous one when rolling back. */
    HostRollout(Instance instance, Plan plan, String version, Ports ports, Journal journal) {
        this.instance = instance;
        this.plan = plan;
        this.version = version;
        this.registry = ports.registry();
        this.hosts = ports.hosts();
        this.probe = ports.probe();
        this.loadBalancer = ports.loadBalancer();
        this.clock = ports.clock();
        this.events = ports.events();
        this.journal = journal;
    }

    String failure() {
        return failure;
    }

    /** The release the host ran before this rollout switched it, or null if it was never switched. */
    String previousVersion() {
        return previousVersion;
    }

    Instance instance() {
        return instance;
    }

    RolloutResult.HostState run() {
        return attempt(() -> {
            hooks(Step.BEFORE_HOST, plan.hooks().beforeHost());
            if (plan.drain().leavesRotation()) {
                step(Step.LEAVE, this::leave);
                step(Step.PROPAGATE, this::propagate);
            } else {
                saved = registry.save(instance);
                skip(Step.LEAVE, "stays in rotation: hand-off restart with drain.mode none");
                skip(Step.PROPAGATE, "stays in rotation");
            }
            return finish();
        });
    }

    /** A host parked earlier by this rollout (in maintenance) goes back to its previous release and into rotation. */
    RolloutResult.HostState runFromParked(Registration parked) {
        saved = parked;
        return attempt(() -> {
            skip(Step.LEAVE, "already out of rotation (parked)");
            skip(Step.PROPAGATE, "already out of rotation");
            return finish();
        });
    }

    @FunctionalInterface
    private interface Steps {
        RolloutResult.HostState run() throws StepFailure, InterruptedException;
    }

    /** Runs the steps; on a failure the host is recovered (RESTORE or PARK), never left out. */
    private RolloutResult.HostState attempt(Steps steps) {
        try {
            return steps.run();
        } catch (StepFailure e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            failure = "interrupted";
        }
        return recoverKeepingInterrupt();
    }

    /** After an orchestrator crash: the host was out of rotation with this registration; put it back or park it. */
    RolloutResult.HostState settleAfterCrash(Registration inFlight) {
        saved = inFlight;
        failure = "the orchestrator stopped while this host was out of rotation";
        return recoverKeepingInterrupt();
    }

    private RolloutResult.HostState finish() throws StepFailure, InterruptedException {
        step(Step.RESTART, this::restart);
        step(Step.CHECK, this::check);
        step(Step.JOIN, this::join);
        hooks(Step.AFTER_HOST, plan.hooks().afterHost());
        return RolloutResult.HostState.DONE;
    }

    private boolean rollingForward() {
        return version.equals(plan.version());
    }

    private RolloutResult.HostState recoverKeepingInterrupt() {
        boolean interrupted = Thread.interrupted();
        try {
            return recover();
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** PREPARE: fetches and verifies the release on the host while it serves; changes nothing else. */
    boolean prepare() throws InterruptedException {
        try {
            step(Step.PREPARE, () -> {
                hosts.prepare(instance, order());
                return version + " fetched and verified while serving";
            });
            return true;
        } catch (StepFailure e) {
            failure = e.getMessage();
            return false;
        }
    }

    private String leave() throws StepFailure {
        saved = registry.save(instance);
        journal.leaving(saved);
        if (maintenanceMode()) {
            registry.maintenance(instance, true, "baton: rolling out " + plan.service() + " " + version);
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

    private RestartOrder order() {
        Plan.Artifact artifact = plan.artifact();
        boolean forward = rollingForward();
        return new RestartOrder(version, forward ? artifact.url() : null, forward ? artifact.sha256() : null,
                plan.restart().strategy(), plan.drain().timeout(), plan.health().deadline());
    }

    private String restart() throws StepFailure, InterruptedException {
        RestartReport report;
        try {
            report = hosts.restart(instance, order(), plan.restart().timeout());
        } catch (RestartFailed e) {
            rememberPrevious(e.previousVersion());
            throw e;
        }
        rememberPrevious(report.previousVersion());
        return report.summary();
    }

    private void rememberPrevious(String before) {
        if (before != null && !before.equals(version)) previousVersion = before;
    }

    /** Healthy without a break for minHealthyTime, within the deadline. */
    private String check() throws StepFailure, InterruptedException {
        Plan.Health health = plan.health();
        Instant until = clock.now().plus(health.deadline());
        Instant healthySince = null;
        HealthProbe.Result last;
        while (true) {
            last = probe.check(instance);
            Instant now = clock.now();
            if (!last.healthy()) healthySince = null;
            else if (healthySince == null) healthySince = now;
            if (healthySince != null && !Duration.between(healthySince, now).minus(health.minHealthyTime()).isNegative()) {
                break;
            }
            if (!now.isBefore(until)) {
                throw new StepFailure("not healthy " + (health.minHealthyTime().isZero() ? "" : "for "
                        + Durations.format(health.minHealthyTime()) + " ") + "within " + Durations.format(health.deadline())
                        + ": " + last.detail());
            }
            clock.sleep(health.interval());
        }
        return health.minHealthyTime().isZero() ? last.detail()
                : last.detail() + ", healthy for " + Durations.format(health.minHealthyTime());
    }

    private String join() throws StepFailure, InterruptedException {
        putBack();
        if (!plan.health().consulChecks()) return "back in rotation (Consul checks not awaited)";
        awaitPassingInConsul();
        return plan.drain().leavesRotation() ? "back in rotation, passing in Consul" : "passing in Consul";
    }

    private void putBack() throws StepFailure {
        if (maintenanceMode() || parkedHere()) registry.maintenance(instance, false, null);
        else if (plan.drain().leavesRotation()) registry.register(saved);
    }

    private boolean parkedHere() {
        return saved != null && saved.definition().containsKey(PARKED);
    }

    /** Marks a registration as sitting in maintenance, parked by this rollout. */
    static final String PARKED = "baton-parked";

    static Registration parked(Registration registration) {
        Map<String, Object> definition = new java.util.LinkedHashMap<>(registration.definition());
        definition.put(PARKED, true);
        return new Registration(registration.instance(), definition);
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

    private void hooks(Step step, List<Plan.Hook> hooks) throws StepFailure, InterruptedException {
        for (Plan.Hook hook : hooks) {
            step(step, () -> {
                HookResult result = hosts.runHook(instance, step.name(), hook,
                        Map.of("BATON_SERVICE", plan.service(), "BATON_VERSION", version, "BATON_HOST", instance.id(),
                                "BATON_HOST_ADDRESS", instance.address()));
                if (!result.ok()) throw new StepFailure("hook `" + hook.command() + "` failed: " + result.describe());
                return "`" + hook.command() + "` " + result.describe();
            });
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
            if (plan.drain().mode().equals("deregister") && !parkedHere()) registry.register(saved);
            registry.maintenance(instance, true, "baton: parked: " + reason);
            saved = parked(saved);
            String unjournaled = "";
            try {
                journal.leaving(saved);
            } catch (StepFailure e) {
                unjournaled = " (not journaled: " + e.getMessage() + ")";
            }
            emit(Step.PARK, Event.Outcome.FAILED, start, "registered in maintenance, out of rotation: " + reason + unjournaled);
        } catch (StepFailure e) {
            emit(Step.PARK, Event.Outcome.FAILED, start, "NOT back in Consul (" + e.getMessage() + "); reason: " + reason
                    + "; saved registration: " + saved.definition());
        }
    }

    /** The registration as it stands after {@link #run}: marked parked when the host was parked. */
    Registration saved() {
        return saved;
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
