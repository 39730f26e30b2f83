package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One rollout from start to end — the rollout loop lives in {@link #execute}: resolve the targets, run the
 * beforeDeploy hooks, then for each batch of the {@link Schedule}: obey the operator (pause, abort, rollback),
 * check capacity, roll the batch's hosts ({@link HostRollout}, at most maxUnavailable at once), apply the
 * failure policy, gate on the canaries; finally the afterDeploy hooks.
 */
final class RolloutRun {
    private static final String ROLLOUT = Step.ROLLOUT.name();
    private static final int PREPARE_PARALLELISM = 16;

    private final Plan plan;
    private final Plan.Strategy strategy;
    private final Ports ports;
    private final RolloutControl control;
    private final Journal journal;
    private final Clock clock;
    private final EventSink events;

    private final Map<String, RolloutResult.HostState> states = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Why each host failed, in the order they ended (null for hosts that did not fail). */
    private final Map<String, String> lastFailures = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Hosts this rollout switched to the new release, oldest first, with what they ran before. */
    private final List<SwitchedHost> switched = Collections.synchronizedList(new ArrayList<>());
    private Instant start;
    private Duration paused = Duration.ZERO;
    private int failures;

    /** A decision that ends the rollout early. */
    private static final class Stop extends Exception {
        final RolloutResult result;

        Stop(RolloutResult result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    RolloutRun(Plan plan, Ports ports, RolloutControl control, Journal journal) {
        this.plan = plan;
        this.strategy = plan.strategy();
        this.ports = ports;
        this.control = control;
        this.journal = journal;
        this.clock = ports.clock();
        this.events = ports.events();
    }

    RolloutResult execute(Resume from) {
        start = clock.now();
        emit(ROLLOUT, Event.Outcome.STARTED, null, plan.service() + " -> " + plan.version());
        try {
            Map<String, HostRollout> parkedAfterCrash = settleInFlight(from);
            List<Instance> instances = targets();
            Schedule schedule = Schedule.of(strategy, instances);
            emit(ROLLOUT, Event.Outcome.OK, null, instances.size() + " hosts in " + schedule.batches().size() + " batches: "
                    + String.join("; ", schedule.batches().stream().map(Schedule.Batch::label).toList()));
            instances.forEach(i -> states.put(i.id(), RolloutResult.HostState.PENDING));
            states.putAll(from.settled());
            switched.addAll(from.switched());
            parkedAfterCrash.forEach((id, host) -> record(host, RolloutResult.HostState.PARKED));
            deployHooks("beforeDeploy", plan.hooks().beforeDeploy());
            prepareAll(instances);
            for (int b = 0; b < schedule.batches().size(); b++) {
                Schedule.Batch batch = schedule.batches().get(b);
                rollBatch(batch, instances.size());
                if (batch.canary()) canaryGate(batch);
                if (b < schedule.batches().size() - 1 && !strategy.pauseBetweenBatches().isZero()) {
                    clock.sleep(strategy.pauseBetweenBatches());
                }
            }
            deployHooks("afterDeploy", plan.hooks().afterDeploy());
            List<String> missed = new ArrayList<>();
            synchronized (states) {
                states.forEach((id, state) -> {
                    if (state != RolloutResult.HostState.DONE) missed.add(id + " " + state);
                });
            }
            if (!missed.isEmpty()) {
                return finish(RolloutResult.Status.FAILED, missed.size() + " host(s) did not reach " + plan.version() + ": "
                        + String.join(", ", missed));
            }
            return finish(RolloutResult.Status.SUCCEEDED, instances.size() + " hosts on " + plan.version());
        } catch (Stop stop) {
            return stop.result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return finish(RolloutResult.Status.FAILED, "interrupted; every host out of rotation was put back or parked");
        }
    }

    private List<Instance> targets() throws Stop {
        List<Instance> chosen;
        try {
            chosen = Targets.resolve(ports.registry(), plan.targets());
        } catch (StepFailure e) {
            throw stop(RolloutResult.Status.FAILED, "cannot resolve targets: " + e.getMessage());
        }
        if (!strategy.batch().isPercent() && strategy.batch().count() > chosen.size()) {
            throw stop(RolloutResult.Status.FAILED, "strategy.batch " + strategy.batch() + " is larger than the fleet ("
                    + chosen.size() + " instances); nothing was changed");
        }
        if (strategy.canary() > chosen.size()) {
            throw stop(RolloutResult.Status.FAILED, "strategy.canary " + strategy.canary() + " is larger than the fleet ("
                    + chosen.size() + " instances); nothing was changed");
        }
        return chosen;
    }

    /**
     * After a crash: hosts that were out of rotation are put back (then rolled again like any pending host)
     * or parked, before the targets are read, so that every instance is in Consul again.
     */
    private Map<String, HostRollout> settleInFlight(Resume from) {
        Map<String, HostRollout> parked = new LinkedHashMap<>();
        for (Registration inFlight : from.inFlight()) {
            String id = inFlight.instance().id();
            if (from.settled().containsKey(id)) continue;
            HostRollout host = new HostRollout(inFlight.instance(), plan, plan.version(), ports, journal);
            if (host.settleAfterCrash(inFlight) == RolloutResult.HostState.PARKED) {
                parked.put(id, host);
                failures++;
            }
        }
        return parked;
    }

    private void rollBatch(Schedule.Batch batch, int fleetSize) throws Stop, InterruptedException {
        List<Instance> pending = batch.hosts().stream().filter(i -> states.get(i.id()) == RolloutResult.HostState.PENDING).toList();
        if (pending.isEmpty()) return;
        checkpoint();
        emit(Step.BATCH.name(), Event.Outcome.STARTED, null, batch.label());
        Instant batchStart = clock.now();
        int chunkSize = strategy.maxUnavailable().of(fleetSize, true);
        int failuresBefore = failures;
        for (int i = 0; i < pending.size(); i += chunkSize) {
            List<Instance> chunk = pending.subList(i, Math.min(i + chunkSize, pending.size()));
            try {
                awaitCapacity(chunk, fleetSize);
            } catch (StepFailure e) {
                emit(Step.BATCH.name(), Event.Outcome.FAILED, Duration.between(batchStart, clock.now()), e.getMessage());
                applyPolicy(e.getMessage());
                return;
            }
            runAll(chunk);
            for (Instance host : chunk) {
                if (states.get(host.id()) != RolloutResult.HostState.DONE) failures++;
            }
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
        }
        boolean ok = failures == failuresBefore;
        emit(Step.BATCH.name(), ok ? Event.Outcome.OK : Event.Outcome.FAILED, Duration.between(batchStart, clock.now()),
                batch.label() + (ok ? "" : " — " + (failures - failuresBefore) + " failed"));
        int allowed = strategy.maxFailures().of(fleetSize, false);
        if (failures > allowed) {
            applyPolicy(failures + " host(s) failed, more than maxFailures " + strategy.maxFailures() + " (last: " + lastFailure() + ")");
        }
    }

    /**
     * PREPARE on every pending host at once, before any leaves rotation: a release that cannot be fetched or
     * verified anywhere stops the rollout with nothing changed, and no host waits for a download while out.
     */
    private void prepareAll(List<Instance> instances) throws Stop, InterruptedException {
        List<Instance> pending = instances.stream().filter(i -> states.get(i.id()) == RolloutResult.HostState.PENDING).toList();
        if (pending.isEmpty()) return;
        List<String> failed = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PREPARE_PARALLELISM, pending.size()));
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Instance instance : pending) {
                running.add(pool.submit(() -> {
                    HostRollout host = new HostRollout(instance, plan, plan.version(), ports, journal);
                    if (!host.prepare()) failed.add(instance.id() + ": " + host.failure());
                    return null;
                }));
            }
            for (Future<?> future : running) {
                try {
                    future.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("prepare crashed", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (!failed.isEmpty()) {
            throw stop(RolloutResult.Status.FAILED, "PREPARE failed on " + failed.size() + " host(s), nothing was changed: "
                    + String.join("; ", failed));
        }
    }

    /** Rolls the hosts, in parallel when there are several; each result is recorded as it ends. */
    private void runAll(List<Instance> chunk) throws InterruptedException {
        List<HostRollout> hosts = chunk.stream()
                .map(i -> new HostRollout(i, plan, plan.version(), ports, journal)).toList();
        if (hosts.size() == 1) {
            runAndRecord(hosts.get(0));
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(hosts.size());
            try {
                List<Future<?>> running = new ArrayList<>();
                for (HostRollout host : hosts) running.add(pool.submit(() -> runAndRecord(host)));
                for (Future<?> future : running) {
                    try {
                        future.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("host rollout crashed", e.getCause());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private void runAndRecord(HostRollout host) {
        RolloutResult.HostState state = host.run();
        record(host, state);
    }

    private void record(HostRollout host, RolloutResult.HostState state) {
        String id = host.instance().id();
        states.put(id, state);
        lastFailures.put(id, host.failure());
        journal.settled(id, state, state == RolloutResult.HostState.DONE ? plan.version() : null);
        if (host.previousVersion() != null && host.saved() != null) {
            SwitchedHost moved = new SwitchedHost(host.saved(), host.previousVersion());
            switched.add(moved);
            journal.switched(moved);
        }
    }

    private String lastFailure() {
        synchronized (lastFailures) {
            String last = null;
            for (Map.Entry<String, String> failure : lastFailures.entrySet()) {
                if (failure.getValue() != null) last = failure.getKey() + ": " + failure.getValue();
            }
            return last;
        }
    }

    /** The capacity guard: never take instances out if fewer than minHealthy would still pass in Consul. */
    private void awaitCapacity(List<Instance> chunk, int fleetSize) throws StepFailure, InterruptedException {
        int minHealthy = strategy.minHealthy() != null ? strategy.minHealthy().of(fleetSize, false)
                : Math.max(0, fleetSize - strategy.maxUnavailable().of(fleetSize, true));
        if (minHealthy == 0) return;
        Instant until = clock.now().plus(strategy.capacityWait());
        Instant waitStart = clock.now();
        boolean waiting = false;
        while (true) {
            Set<String> passing = ports.registry().passing(plan.targets().consulService());
            long leaving = chunk.stream().filter(i -> passing.contains(i.id())).count();
            long remaining = passing.size() - leaving;
            String why = "taking " + String.join(", ", chunk.stream().map(Instance::id).toList()) + " out would leave "
                    + remaining + " passing, below minHealthy " + minHealthy + " (" + passing.size() + " passing now)";
            if (remaining >= minHealthy) {
                if (waiting) emit(Step.CAPACITY.name(), Event.Outcome.OK, Duration.between(waitStart, clock.now()), "enough passing again");
                return;
            }
            if (!waiting) {
                emit(Step.CAPACITY.name(), Event.Outcome.STARTED, null, why + "; waiting up to " + Durations.format(strategy.capacityWait()));
                waiting = true;
            }
            if (!clock.now().isBefore(until)) {
                String failure = "capacity guard: " + why + " after waiting " + Durations.format(strategy.capacityWait());
                emit(Step.CAPACITY.name(), Event.Outcome.FAILED, Duration.between(waitStart, clock.now()), failure);
                throw new StepFailure(failure);
            }
            clock.sleep(Duration.ofMillis(500));
        }
    }

    /** Between batches: obey pause/abort/rollback, and the rollout-wide progress deadline. */
    private void checkpoint() throws Stop, InterruptedException {
        RolloutControl.Decision decision = control.decision();
        if (decision == RolloutControl.Decision.CONTINUE && control.paused()) {
            decision = waitWhilePaused("paused by operator");
        }
        obey(decision, "by operator");
        Duration active = Duration.between(start, clock.now()).minus(paused);
        if (active.compareTo(strategy.progressDeadline()) > 0) {
            applyPolicy("progress deadline " + Durations.format(strategy.progressDeadline()) + " exceeded");
        }
    }

    private RolloutControl.Decision waitWhilePaused(String why) throws InterruptedException {
        Instant pausedAt = clock.now();
        emit(Step.PAUSE.name(), Event.Outcome.STARTED, null, why + "; every host is in rotation or parked");
        RolloutControl.Decision decision = control.awaitWhilePaused(clock, strategy.maxPause());
        Duration took = Duration.between(pausedAt, clock.now());
        paused = paused.plus(took);
        emit(Step.PAUSE.name(), Event.Outcome.OK, took, decision == RolloutControl.Decision.CONTINUE ? "resumed"
                : decision.name().toLowerCase());
        return decision;
    }

    private void obey(RolloutControl.Decision decision, String by) throws Stop, InterruptedException {
        switch (decision) {
            case ABORT -> throw stop(RolloutResult.Status.ABORTED, "aborted " + by + "; every host is in rotation or parked");
            case ROLLBACK -> throw rollback("rollback requested " + by);
            case CONTINUE -> {
            }
        }
    }

    /** The failure policy: rollback, pause (then whatever the operator says), or abort. */
    private void applyPolicy(String reason) throws Stop, InterruptedException {
        switch (strategy.onFailure()) {
            case "rollback" -> throw rollback(reason);
            case "pause" -> {
                control.pause();
                RolloutControl.Decision decision = waitWhilePaused("paused on failure: " + reason);
                obey(decision, "by operator after: " + reason);
                if (control.paused()) throw stop(RolloutResult.Status.ABORTED, "not resumed within maxPause after: " + reason);
            }
            default -> throw stop(RolloutResult.Status.ABORTED, "aborted on failure: " + reason);
        }
    }

    private void canaryGate(Schedule.Batch batch) throws Stop, InterruptedException {
        Instant gateStart = clock.now();
        Duration auto = strategy.autoPromoteAfter();
        emit(Step.CANARY.name(), Event.Outcome.STARTED, null, auto == null
                ? "canaries on " + plan.version() + ": waiting for promote"
                : "canaries on " + plan.version() + ": promoting after " + Durations.format(auto) + " healthy");
        Instant until = clock.now().plus(auto == null ? strategy.maxPause() : auto);
        while (true) {
            obey(control.decision(), "by operator");
            if (control.takePromotion()) {
                emit(Step.CANARY.name(), Event.Outcome.OK, Duration.between(gateStart, clock.now()), "promoted by operator");
                return;
            }
            for (Instance canary : batch.hosts()) {
                HealthProbe.Result health = ports.probe().check(canary);
                if (!health.healthy()) {
                    String why = "canary " + canary.id() + " turned unhealthy: " + health.detail();
                    emit(Step.CANARY.name(), Event.Outcome.FAILED, Duration.between(gateStart, clock.now()), why);
                    failures++;
                    applyPolicy(why);
                    return;
                }
            }
            if (!clock.now().isBefore(until)) {
                if (auto != null) {
                    emit(Step.CANARY.name(), Event.Outcome.OK, Duration.between(gateStart, clock.now()),
                            "promoted: healthy for " + Durations.format(auto));
                    return;
                }
                String why = "canaries not promoted within " + Durations.format(strategy.maxPause());
                emit(Step.CANARY.name(), Event.Outcome.FAILED, Duration.between(gateStart, clock.now()), why);
                applyPolicy(why);
                return;
            }
            clock.sleep(plan.health().interval().compareTo(Duration.ofSeconds(1)) < 0 ? plan.health().interval() : Duration.ofSeconds(1));
        }
    }

    private void deployHooks(String name, List<String> hooks) throws Stop, InterruptedException {
        for (String hook : hooks) {
            Instant hookStart = clock.now();
            emit(Step.HOOK.name(), Event.Outcome.STARTED, null, name + ": `" + hook + "`");
            HookResult result = ports.localHooks().run(name, hook,
                    Map.of("BATON_SERVICE", plan.service(), "BATON_VERSION", plan.version(), "BATON_HOOK", name));
            Duration took = Duration.between(hookStart, clock.now());
            if (!result.ok()) {
                String why = name + " hook `" + hook + "` failed: " + result.describe();
                emit(Step.HOOK.name(), Event.Outcome.FAILED, took, why);
                if (name.equals("beforeDeploy")) throw stop(RolloutResult.Status.FAILED, why + "; nothing was changed");
                throw stop(RolloutResult.Status.FAILED, why);
            }
            emit(Step.HOOK.name(), Event.Outcome.OK, took, name + ": `" + hook + "` " + result.describe());
        }
    }

    /** Every host this rollout switched goes back to its previous release, newest first, one at a time. */
    private Stop rollback(String reason) {
        Instant rollbackStart = clock.now();
        emit(Step.ROLLBACK.name(), Event.Outcome.STARTED, null, reason);
        List<SwitchedHost> toRevert;
        synchronized (switched) {
            toRevert = new ArrayList<>(switched);
        }
        Collections.reverse(toRevert);
        if (toRevert.isEmpty()) {
            emit(Step.ROLLBACK.name(), Event.Outcome.OK, Duration.between(rollbackStart, clock.now()), "no host had switched releases");
            return stop(RolloutResult.Status.FAILED, reason + "; no host had switched releases, so nothing was rolled back");
        }
        int reverted = 0;
        List<String> stuck = new ArrayList<>();
        for (SwitchedHost forward : toRevert) {
            Instance instance = forward.saved().instance();
            if (states.get(instance.id()) == RolloutResult.HostState.ROLLED_BACK) continue;
            HostRollout back = new HostRollout(instance, plan, forward.previousVersion(), ports, journal);
            RolloutResult.HostState state = states.get(instance.id()) == RolloutResult.HostState.PARKED
                    ? back.runFromParked(forward.saved()) : back.run();
            if (state == RolloutResult.HostState.DONE) {
                states.put(instance.id(), RolloutResult.HostState.ROLLED_BACK);
                journal.settled(instance.id(), RolloutResult.HostState.ROLLED_BACK, forward.previousVersion());
                reverted++;
            } else {
                states.put(instance.id(), state);
                stuck.add(instance.id() + " (" + back.failure() + ")");
            }
        }
        boolean ok = stuck.isEmpty();
        String summary = "rolled back " + reverted + " host(s) to their previous release after: " + reason
                + (ok ? "" : "; could not roll back " + String.join(", ", stuck));
        emit(Step.ROLLBACK.name(), ok ? Event.Outcome.OK : Event.Outcome.FAILED, Duration.between(rollbackStart, clock.now()), summary);
        return stop(ok ? RolloutResult.Status.ROLLED_BACK : RolloutResult.Status.FAILED, summary);
    }

    private Stop stop(RolloutResult.Status status, String summary) {
        return new Stop(finish(status, summary));
    }

    private RolloutResult finish(RolloutResult.Status status, String summary) {
        Duration took = Duration.between(start, clock.now());
        emit(ROLLOUT, status == RolloutResult.Status.SUCCEEDED ? Event.Outcome.OK : Event.Outcome.FAILED, took, summary);
        synchronized (states) {
            return new RolloutResult(status, summary, Map.copyOf(states));
        }
    }

    private void emit(String step, Event.Outcome outcome, Duration took, String detail) {
        events.emit(new Event(clock.now(), null, step, outcome, took, detail));
    }
}
