package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One host's way through {@link Step#HOST_STEPS}, each step moving its {@link HostLifecycle} first. Whatever
 * goes wrong inside a step — a failure, an interrupt, a bug — the host is never left out silently: it is put
 * back if healthy (RESTORE), otherwise kept out in maintenance with the reason (PARK), retried while Consul or the
 * agent cannot be reached, up to {@code drain.restoreTimeout}.
 */
final class HostRollout {
    /** Marks a registration as sitting in maintenance, parked by this rollout. */
    static final String PARKED = "baton-parked";
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private final Instance instance;
    private final Plan plan;
    private final Ports ports;
    private final Clock clock;
    private final HostLifecycle lifecycle;
    private final HostEvents events;

    private Registration saved;
    private String failure;
    private String previousVersion;
    private boolean refused;
    private HostFence fence = HostFence.OPEN;
    private EarlyRegistrations registrations = EarlyRegistrations.NONE;

    /** Rolls {@code lifecycle}'s host to its version: the plan's, or the previous one when rolling back. */
    HostRollout(Instance instance, Plan plan, Ports ports, HostLifecycle lifecycle) {
        this.instance = instance;
        this.plan = plan;
        this.ports = ports;
        this.clock = ports.clock();
        this.lifecycle = lifecycle;
        this.events = new HostEvents(instance.id(), lifecycle, ports.events(), clock);
    }

    /** Asks {@code check} before the host restarts and before it is put back or parked. */
    HostRollout fenced(HostFence check) {
        this.fence = check;
        return this;
    }

    /** LEAVE saves the registration read early with the others of its chunk, when that read is fresh. */
    HostRollout registeredAs(EarlyRegistrations read) {
        this.registrations = read;
        return this;
    }

    /** The gate refused: the host never left rotation. */
    boolean refused() {
        return refused;
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

    HostState state() {
        return lifecycle.state();
    }

    /** The registration as it stands after {@link #run}: marked parked when the host was parked. */
    Registration saved() {
        return saved;
    }

    /**
     * PREPARE: fetches and verifies the release on the host while it serves; changes nothing else. The host moves to
     * PREPARED only if {@code wanted} still says so once the fetch is done (a rollout that ended meanwhile does not).
     */
    boolean prepare(java.util.function.BooleanSupplier wanted) {
        try {
            events.step(Step.PREPARE, () -> {
                refuseLossyDeregister();
                ports.hosts().prepare(instance, order());
                return lifecycle.version() + " fetched and verified while serving";
            });
            if (!wanted.getAsBoolean()) {
                failure = "the rollout ended while the release was fetched";
                return false;
            }
            lifecycle.moveTo(HostState.PREPARED);
            return true;
        } catch (Throwable e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            failure = Failures.describe(e);
            return false;
        }
    }

    /** Walks the steps, unless the gate refuses before the host leaves (then it stays in rotation, untouched). */
    HostState run(LeaveGate gate) {
        return attempt(() -> {
            hooks(Step.BEFORE_HOST, plan.hooks().beforeHost(), null);
            String refusal = gate.refusal();
            if (refusal != null) {
                events.skip(Step.LEAVE, "not taken out: " + refusal);
                if (lifecycle.state() == HostState.PREPARED) lifecycle.moveTo(HostState.SKIPPED);
                failure = refusal;
                refused = true;
                return;
            }
            if (plan.drain().leavesRotation()) {
                events.step(Step.LEAVE, this::leave);
                lifecycle.moveTo(HostState.PROPAGATING);
                events.step(Step.PROPAGATE, this::propagate);
            } else {
                saved = ports.registry().save(instance);
                events.skip(Step.LEAVE, "stays in rotation: hand-off restart with drain.mode none");
                events.skip(Step.PROPAGATE, "stays in rotation");
            }
            finish();
        });
    }

    /** A host parked earlier by this rollout (in maintenance) goes back to its previous release and into rotation. */
    HostState runFromParked(Registration parked) {
        saved = parked;
        return attempt(() -> {
            events.skip(Step.LEAVE, "already out of rotation (parked)");
            events.skip(Step.PROPAGATE, "already out of rotation");
            finish();
        });
    }

    /** After an orchestrator crash: the host was out of rotation with this registration; put it back or park it. */
    HostState settleAfterCrash(Registration inFlight) {
        if (lifecycle.state() == HostState.RESTARTING || lifecycle.state() == HostState.CHECKING) awaitStartedAfterCrash();
        return recoverLeftOut(inFlight, "the orchestrator stopped while this host was out of rotation");
    }

    /**
     * The agent finishes a restart it was asked for even when the server that asked died: a takeover can come while
     * the instance is still starting. It gets its health deadline before put back or park decides, as it would have.
     */
    private void awaitStartedAfterCrash() {
        Instant until = clock.now().plus(plan.health().deadline());
        try {
            while (!ports.probe().check(instance).healthy() && clock.now().isBefore(until)) clock.sleep(plan.health().interval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The host is out of rotation with this registration, for {@code why}: put it back if healthy, else park it. */
    HostState recoverLeftOut(Registration registration, String why) {
        saved = registration;
        failure = why;
        return recoverKeepingInterrupt();
    }

    @FunctionalInterface
    private interface Steps {
        void run() throws Exception;
    }

    /** Runs the steps; whatever is thrown, the host is recovered (RESTORE or PARK), never left out. */
    private HostState attempt(Steps steps) {
        try {
            steps.run();
            return lifecycle.state();
        } catch (Throwable e) {
            failure = Failures.describe(e);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (Failures.isBug(e)) Failures.log(instance.id(), e);
        }
        return recoverKeepingInterrupt();
    }

    private void finish() throws StepFailure, InterruptedException {
        String fenced = fence.acting().refusal();
        if (fenced != null) throw new StepFailure("not restarted: " + fenced);
        lifecycle.moveTo(HostState.RESTARTING);
        events.step(Step.RESTART, this::restart);
        lifecycle.moveTo(HostState.CHECKING);
        events.step(Step.CHECK, this::check);
        lifecycle.moveTo(HostState.JOINING);
        List<Plan.Hook> after = plan.hooks().afterHost();
        events.step(Step.JOIN, this::join, after.isEmpty() ? ended() : HostState.JOINED);
        hooks(Step.AFTER_HOST, after, ended());
    }

    /** Where a host that walked every step ends: on the plan's release, or back on its previous one. */
    private HostState ended() {
        return rollingForward() ? HostState.DONE : HostState.ROLLED_BACK;
    }

    private boolean rollingForward() {
        return lifecycle.version().equals(plan.version());
    }

    private HostState recoverKeepingInterrupt() {
        boolean interrupted = Thread.interrupted();
        try {
            return recover();
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** drain.mode deregister only where the registration can go back whole; checked before anything changes. */
    private void refuseLossyDeregister() throws StepFailure {
        if (plan.drain().mode() != Plan.DrainMode.DEREGISTER) return;
        String lost = ports.registry().lostOnReregister(ports.registry().save(instance));
        if (lost != null) {
            throw new StepFailure("drain.mode deregister would lose part of the registration: " + lost
                    + " (drain.mode maintenance keeps the registration in Consul)");
        }
    }

    private String leave() throws StepFailure, InterruptedException {
        Registration registration = registrations.take(ports.registry(), instance);
        lifecycle.leave(registration);
        saved = registration;
        if (maintenanceMode()) {
            ports.registry().maintenance(instance, true, "baton: rolling out " + plan.service() + " " + lifecycle.version());
            return "in maintenance (registration kept)";
        }
        ports.registry().deregister(instance);
        return "deregistered " + instance.id() + " (registration saved)";
    }

    private String propagate() throws StepFailure, InterruptedException {
        Plan.Propagation propagation = plan.drain().propagation();
        Instant start = clock.now();
        if (propagation.sleep() != null) {
            clock.sleep(propagation.sleep());
            return "slept a fixed " + Durations.format(propagation.sleep()) + " (not verified)";
        }
        Map<Plan.PropagationCheck, String> verified = java.util.Collections.synchronizedMap(new java.util.EnumMap<>(Plan.PropagationCheck.class));
        // the checks are asked at once: neither Consul's answer nor the load balancer's depends on the other, and a
        // load balancer that reports sessions reads them only once it shows the instance out; an app-side quiet
        // period still waits for the other checks (a request routed before them would break the quiet)
        boolean quietOnTheHost = propagation.verify().contains(Plan.PropagationCheck.TRAFFIC) && !trafficSeenByBalancer();
        List<Plan.PropagationCheck> atOnce = propagation.verify().stream()
                .filter(c -> !(quietOnTheHost && c == Plan.PropagationCheck.TRAFFIC)).toList();
        ConcurrentChecks.run(atOnce, check -> verified.put(check, verifyInTime(check, start)));
        if (quietOnTheHost) verified.put(Plan.PropagationCheck.TRAFFIC, verifyInTime(Plan.PropagationCheck.TRAFFIC, start));
        Duration floor = propagation.minWait().minus(Duration.between(start, clock.now()));
        List<String> done = new ArrayList<>();
        for (Plan.PropagationCheck check : propagation.verify()) done.add(verified.get(check));
        if (floor.compareTo(Duration.ZERO) > 0) {
            clock.sleep(floor);
            done.add("minWait +" + Durations.format(floor));
        }
        events.field("verified", propagation.verify().stream().map(Plan.PropagationCheck::yaml).toList());
        return done.isEmpty() ? "not verified (verify: [])" : "verified: " + String.join(", ", done);
    }

    /** One check within what is left of the propagation timeout; its duration counted from its own start. */
    private String verifyInTime(Plan.PropagationCheck check, Instant propagationStart) throws StepFailure, InterruptedException {
        Plan.Propagation propagation = plan.drain().propagation();
        Instant checkStart = clock.now();
        Duration left = propagation.timeout().minus(Duration.between(propagationStart, checkStart));
        if (left.isNegative() || left.isZero() || !verify(check, left)) {
            throw new StepFailure(check.yaml() + " not verified within " + Durations.format(propagation.timeout())
                    + ": " + unverifiedReason(check));
        }
        Duration took = Duration.between(checkStart, clock.now());
        synchronized (events) {
            events.field(check.yaml() + "Ms", took.toMillis());
        }
        return check.yaml() + " " + Durations.format(took) + (check == Plan.PropagationCheck.TRAFFIC && trafficSeenByBalancer()
                ? " (the load balancer holds no session for it)" : "");
    }

    /** The load balancer's own sessions prove that no request arrives; an app-side quiet period only without it. */
    private boolean trafficSeenByBalancer() {
        return ports.loadBalancer() != null && ports.loadBalancer().reportsSessions();
    }

    private boolean verify(Plan.PropagationCheck check, Duration timeout) throws StepFailure, InterruptedException {
        return switch (check) {
            case CONSUL -> ports.registry().awaitPassing(instance, false, timeout);
            case LOAD_BALANCER -> ports.loadBalancer().awaitOutOfRotation(instance, timeout);
            case TRAFFIC -> trafficSeenByBalancer() ? ports.loadBalancer().awaitNoSessions(instance, timeout)
                    : ports.hosts().awaitQuiet(instance, plan.drain().propagation().quietPeriod(), timeout);
        };
    }

    private String unverifiedReason(Plan.PropagationCheck check) {
        return switch (check) {
            case CONSUL -> "Consul still reports " + instance.id() + " passing";
            case LOAD_BALANCER -> "the load balancer still routes to " + instance.address() + ":" + instance.port();
            case TRAFFIC -> "requests still arrive at " + instance.address() + ":" + instance.port();
        };
    }

    private RestartOrder order() {
        Plan.Artifact artifact = plan.artifact();
        boolean forward = rollingForward();
        return new RestartOrder(lifecycle.version(), forward ? artifact.url() : null, forward ? artifact.sha256() : null,
                plan.restart().strategy().yaml(), plan.drain().timeout(), plan.health().deadline());
    }

    private String restart() throws StepFailure, InterruptedException {
        RestartReport report;
        try {
            report = ports.hosts().restart(instance, order(), plan.restart().timeout());
        } catch (RestartFailed e) {
            rememberPrevious(e.previousVersion());
            throw e;
        }
        rememberPrevious(report.previousVersion());
        if (report.oldPid() != null) events.field("oldPid", report.oldPid());
        if (report.newPid() != null) events.field("newPid", report.newPid());
        if (report.previousVersion() != null) events.field("previousVersion", report.previousVersion());
        return report.summary();
    }

    private void rememberPrevious(String before) {
        if (before != null && !before.equals(lifecycle.version())) previousVersion = before;
    }

    /** Healthy without a break for minHealthyTime, within the deadline. */
    private String check() throws StepFailure, InterruptedException {
        Plan.Health health = plan.health();
        Instant until = clock.now().plus(health.deadline());
        Instant healthySince = null;
        HealthProbe.Result last;
        int probes = 0;
        while (true) {
            last = ports.probe().check(instance);
            probes++;
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
        events.field("probes", probes);
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
        if (maintenanceMode() || parkedHere()) ports.registry().maintenance(instance, false, null);
        else if (plan.drain().leavesRotation()) ports.registry().register(saved);
    }

    private boolean parkedHere() {
        return saved != null && saved.definition().containsKey(PARKED);
    }

    static Registration parked(Registration registration) {
        Map<String, Object> definition = new LinkedHashMap<>(registration.definition());
        definition.put(PARKED, true);
        return new Registration(registration.instance(), definition);
    }

    private boolean maintenanceMode() {
        return plan.drain().mode() == Plan.DrainMode.MAINTENANCE;
    }

    private void awaitPassingInConsul() throws StepFailure, InterruptedException {
        Duration deadline = plan.health().deadline();
        if (!ports.registry().awaitPassing(instance, true, deadline)) {
            throw new NotPassing("Consul does not report " + instance.id() + " passing after " + Durations.format(deadline));
        }
    }

    /** Runs the hooks in order; after the last one succeeds the host moves to {@code thenState} (if not null). */
    private void hooks(Step step, List<Plan.Hook> hooks, HostState thenState) throws StepFailure, InterruptedException {
        for (int i = 0; i < hooks.size(); i++) {
            Plan.Hook hook = hooks.get(i);
            events.step(step, () -> {
                HookResult result = ports.hosts().runHook(instance, step.name(), hook,
                        Map.of("BATON_SERVICE", plan.service(), "BATON_VERSION", lifecycle.version(), "BATON_HOST", instance.id(),
                                "BATON_HOST_ADDRESS", instance.address()));
                if (!result.ok()) throw new StepFailure("hook `" + hook.command() + "` failed: " + result.describe());
                return "`" + hook.command() + "` " + result.describe();
            }, i == hooks.size() - 1 ? thenState : null);
        }
    }

    /**
     * RESTORE when healthy, PARK otherwise. While Consul or the agent cannot be reached the whole decision is tried
     * again with backoff until {@code drain.restoreTimeout}; then the host is reported loudly, its registration
     * kept in the journal.
     */
    private HostState recover() {
        if (saved == null) {
            if (lifecycle.state() == HostState.PREPARED) lifecycle.moveTo(HostState.RESTORED);
            return lifecycle.state().settled() ? lifecycle.state() : HostState.RESTORED;
        }
        String handedOver = handBackClosed();
        if (handedOver != null) {
            failure = failure + "; left out of rotation, journaled, for the next owner: " + handedOver;
            return lifecycle.state();
        }
        if (lifecycle.state() != HostState.RESTORING) lifecycle.moveTo(HostState.RESTORING);
        Instant until = clock.now().plus(plan.drain().restoreTimeout());
        Duration backoff = FIRST_RETRY;
        while (true) {
            String unreachable;
            try {
                return restoreOrPark();
            } catch (Throwable e) {
                unreachable = Failures.describe(e);
                if (e instanceof InterruptedException) Thread.interrupted();
            }
            if (!clock.now().plus(backoff).isBefore(until)) {
                events.end(Step.PARK, Event.Outcome.FAILED, clock.now(), "NOT back in Consul after trying for "
                        + Durations.format(plan.drain().restoreTimeout()) + " (" + unreachable + "); reason: " + failure
                        + "; saved registration (kept in the journal for baton recover): " + saved.definition());
                lifecycle.moveTo(HostState.PARKED);
                return HostState.PARKED;
            }
            try {
                clock.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
            backoff = backoff.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : backoff.multipliedBy(2);
        }
    }

    private String handBackClosed() {
        try {
            return fence.handingBack().refusal();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking the fence";
        }
    }

    /** One try; throws only when Consul or the agent could not be asked or told. */
    private HostState restoreOrPark() throws StepFailure, InterruptedException {
        HealthProbe.Result health = ports.probe().check(instance);
        if (!health.healthy()) {
            park("unhealthy (" + health.detail() + ") after: " + failure);
            return HostState.PARKED;
        }
        try {
            events.step(Step.RESTORE, () -> {
                putBack();
                if (plan.health().consulChecks()) awaitPassingInConsul();
                return "healthy, back in rotation: " + health.detail();
            }, HostState.RESTORED);
        } catch (NotPassing e) {
            park(failure + "; then: " + e.getMessage());
            return HostState.PARKED;
        }
        return HostState.RESTORED;
    }

    /** Consul answered, and the instance is not passing: a verdict, not an outage. */
    private static final class NotPassing extends StepFailure {
        NotPassing(String message) {
            super(message);
        }
    }

    private void park(String reason) throws StepFailure {
        Instant start = clock.now();
        if (plan.drain().mode() == Plan.DrainMode.DEREGISTER && !parkedHere()) ports.registry().register(saved);
        ports.registry().maintenance(instance, true, "baton: parked: " + reason);
        saved = parked(saved);
        lifecycle.moveTo(HostState.PARKED);
        events.end(Step.PARK, Event.Outcome.FAILED, start, "registered in maintenance, out of rotation: " + reason);
    }
}
