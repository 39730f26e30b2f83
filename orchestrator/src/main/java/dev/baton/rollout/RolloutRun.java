package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rollout from start to end — the rollout loop lives in {@link #execute}: settle hosts left out by a crash,
 * resolve the targets (reporting those already out), run the beforeDeploy hooks, start PREPARE on every host
 * ({@link Preparation}: all before the first batch, or each batch its own), then for
 * each batch of the {@link Schedule}: ask the {@link OperatorGate} (which waits for the {@link DeployWindows}), the {@link CapacityGuard}, roll the hosts
 * ({@link HostRollout}, at most maxUnavailable at once, each asking the gate again right before it leaves), apply
 * the {@link FailurePolicy}, judge the batch by its traffic at the {@link AnalysisGate} (when the plan has one), wait at
 * the {@link CanaryGate} (unless a passing analysis promotes); finally the afterDeploy hooks. Each of those answers
 * with a {@link Verdict}; one that stops the rollout ends it here, through a {@link Rollback} when it says so. Beside
 * the loop, a {@link TrafficWatch} emits TRAFFIC events while the rollout runs.
 */
final class RolloutRun {
    private final Plan plan;
    private final Plan.Strategy strategy;
    private final Ports ports;
    private final RolloutControl control;
    private final Journal journal;
    private final Clock clock;
    private final RolloutEvents events;

    private final Map<String, HostLifecycle> hosts = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Why each host failed, in the order they ended. */
    private final Map<String, String> failures = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Hosts this rollout switched to the new release, oldest first, with what they ran before. */
    private final List<SwitchedHost> switched = Collections.synchronizedList(new ArrayList<>());
    private Instant start;
    private Pauses pauses;
    private FailurePolicy policy;
    private OperatorGate gate;
    private TrafficWatch traffic;
    private Preparation preparation;

    RolloutRun(Plan plan, Ports ports, RolloutControl control, Journal journal) {
        this.plan = plan;
        this.strategy = plan.strategy();
        this.ports = ports;
        this.control = control;
        this.journal = journal;
        this.clock = ports.clock();
        this.events = new RolloutEvents(ports.events(), clock);
    }

    RolloutResult execute(Resume from) {
        start = clock.now();
        pauses = new Pauses(control, strategy.maxPause(), clock, events);
        policy = new FailurePolicy(strategy.onFailure(), control, pauses);
        gate = new OperatorGate(control, pauses, policy, strategy, clock, start,
                new WindowGate(control, pauses, strategy.maxPause(), clock, events));
        events.emit(Step.ROLLOUT, Event.Outcome.STARTED, null, plan.service() + " -> " + plan.version());
        try {
            return roll(from);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            String fence = control.fenceBroken();
            if (fence != null) return finish(RolloutResult.Status.ABORTED, fence + "; every host out of rotation was put back or parked");
            return finish(RolloutResult.Status.FAILED, "interrupted; every host out of rotation was put back or parked");
        } catch (RuntimeException | Error e) {
            Failures.log("(rollout)", e);
            return finish(RolloutResult.Status.FAILED, Failures.describe(e) + "; every host out of rotation was put back or parked");
        } finally {
            control.end();
        }
    }

    private RolloutResult roll(Resume from) throws InterruptedException {
        settleInFlight(from);
        Census census;
        try {
            census = Census.take(ports.registry(), journal, plan.targets());
        } catch (StepFailure e) {
            return finish(RolloutResult.Status.FAILED, "cannot resolve targets: " + e.getMessage());
        }
        List<Instance> instances = census.targets();
        String tooSmall = tooSmall(instances.size());
        if (tooSmall != null) return finish(RolloutResult.Status.FAILED, tooSmall + "; nothing was changed");
        if (plan.analysis() != null && ports.analysisTraffic() == null) {
            return finish(RolloutResult.Status.FAILED, "the analysis gate needs a traffic source (the load balancer or "
                    + "Prometheus), and none is configured; nothing was changed");
        }
        watchTraffic(instances);
        Set<String> missing = reportOutOfRotation(census);
        Schedule schedule = Schedule.of(strategy, instances);
        events.emit(Step.ROLLOUT, Event.Outcome.OK, null, instances.size() + " hosts in " + schedule.batches().size() + " batches: "
                + String.join("; ", schedule.batches().stream().map(Schedule.Batch::label).toList()));
        Map<String, HostState> settled = from.settled();
        for (Instance instance : instances) {
            hosts.putIfAbsent(instance.id(), new HostLifecycle(instance, plan.version(),
                    settled.getOrDefault(instance.id(), HostState.PENDING), journal));
        }
        switched.addAll(from.switched());

        Verdict verdict = deployHooks("beforeDeploy", plan.hooks().beforeDeploy());
        if (!verdict.proceeds()) return end(verdict);
        String unprepared = prepare(schedule);
        if (unprepared != null) return finish(RolloutResult.Status.FAILED, unprepared);
        CapacityGuard guard = new CapacityGuard(ports.registry(), plan.targets().consulService(), strategy,
                instances.size() + missing.size(), clock, events);
        for (int b = 0; b < schedule.batches().size(); b++) {
            Schedule.Batch batch = schedule.batches().get(b);
            preparation.rolling(b);
            verdict = rollBatch(batch, guard, instances.size());
            boolean analysed = verdict.proceeds() && plan.analysis() != null;
            if (analysed) verdict = analyse(batch, instances);
            if (verdict.proceeds() && batch.canary() && !(analysed && plan.analysis().promote() == Plan.Promote.AUTO)) {
                verdict = new CanaryGate(plan, control, ports.probe(), policy, clock, events).await(batch);
            }
            if (!verdict.proceeds()) return end(verdict);
            if (b < schedule.batches().size() - 1 && !strategy.pauseBetweenBatches().isZero()) {
                clock.sleep(strategy.pauseBetweenBatches());
            }
        }
        verdict = deployHooks("afterDeploy", plan.hooks().afterDeploy());
        if (!verdict.proceeds()) return end(verdict);
        List<String> missed = new ArrayList<>();
        for (HostLifecycle host : snapshot()) {
            if (host.state() != HostState.DONE) missed.add(host.instance().id() + " " + host.state());
        }
        if (!missed.isEmpty()) {
            return finish(RolloutResult.Status.FAILED, missed.size() + " host(s) did not reach " + plan.version() + ": "
                    + String.join(", ", missed));
        }
        journal.rememberInstances(plan.targets().consulService(),
                new TreeSet<>(instances.stream().map(Instance::id).toList()));
        return finish(RolloutResult.Status.SUCCEEDED, instances.size() + " hosts on " + plan.version());
    }

    /** TRAFFIC events while the rollout runs, when the plan names a load balancer whose traffic can be read. */
    private void watchTraffic(List<Instance> instances) {
        Plan.LoadBalancerAccess lb = plan.loadBalancer();
        if (ports.traffic() == null || lb == null || lb.sampleTraffic().isZero()) return;
        traffic = TrafficWatch.start(ports.traffic(), instances, lb.sampleTraffic(), events, control);
    }

    /** The analysis gate: the hosts switched so far against the targets still on their previous release. */
    private Verdict analyse(Schedule.Batch batch, List<Instance> instances) throws InterruptedException {
        Set<String> moved = new java.util.HashSet<>();
        synchronized (switched) {
            for (SwitchedHost host : switched) moved.add(host.saved().instance().id());
        }
        List<Instance> now = instances.stream().filter(i -> moved.contains(i.id())).toList();
        List<Instance> before = instances.stream().filter(i -> !moved.contains(i.id()) && !failures.containsKey(i.id())).toList();
        return new AnalysisGate(plan.analysis(), ports.analysisTraffic(), control, pauses, clock, events).judge(batch, now, before);
    }

    private String tooSmall(int fleet) {
        if (!strategy.batch().isPercent() && strategy.batch().count() > fleet) {
            return "strategy.batch " + strategy.batch() + " is larger than the fleet (" + fleet + " instances)";
        }
        if (strategy.canary() > fleet) {
            return "strategy.canary " + strategy.canary() + " is larger than the fleet (" + fleet + " instances)";
        }
        return null;
    }

    /**
     * Instances a previous rollout saw that are absent now, and registered ones not passing: reported before
     * anything changes, and counted by the capacity guard as missing capacity. Returns the absent ones.
     */
    private Set<String> reportOutOfRotation(Census census) {
        Set<String> registered = new LinkedHashSet<>(census.targets().stream().map(Instance::id).toList());
        Set<String> missing = new TreeSet<>(census.known());
        missing.removeAll(registered);
        List<String> out = new ArrayList<>();
        missing.forEach(id -> out.add(id + " (absent from Consul)"));
        if (census.passing() == null) {
            out.add("passing instances unknown: " + census.passingUnknown());
        } else {
            for (String id : registered) if (!census.passing().contains(id)) out.add(id + " (not passing)");
        }
        if (!out.isEmpty()) {
            events.emit(Step.TARGETS, Event.Outcome.FAILED, null, out.size() + " instance(s) already out of rotation, "
                    + "counted as missing capacity: " + String.join(", ", out));
        }
        return missing;
    }

    /**
     * After a crash: hosts that were out of rotation are put back (then rolled again like any pending host)
     * or parked, before the targets are read, so that every instance is in Consul again.
     */
    private void settleInFlight(Resume from) {
        for (Registration inFlight : from.inFlight()) {
            String id = inFlight.instance().id();
            HostState journaled = from.states().getOrDefault(id, HostState.LEAVING);
            if (journaled.settled()) continue;
            HostLifecycle lifecycle = new HostLifecycle(inFlight.instance(), plan.version(), journaled, journal);
            HostRollout host = new HostRollout(inFlight.instance(), plan, ports, lifecycle).fenced(gate.hostFence());
            if (host.settleAfterCrash(inFlight) == HostState.PARKED) {
                hosts.put(id, lifecycle);
                failures.put(id, host.failure());
            }
        }
    }

    /**
     * Starts PREPARE of the pending hosts, in schedule order. With {@code prepare: all} on every one at once, and waits
     * for all of them: a release that cannot be fetched or verified anywhere stops the rollout with nothing changed.
     * With {@code prepare: ahead} batch by batch, each while the one before it rolls ({@link Preparation}), and each
     * host waits for its own fetch before it leaves ({@link #rollHost}). Either way no host waits for a download while out.
     */
    private String prepare(Schedule schedule) throws InterruptedException {
        List<List<HostLifecycle>> pending = new ArrayList<>();
        for (Schedule.Batch batch : schedule.batches()) {
            List<HostLifecycle> inBatch = new ArrayList<>();
            for (Instance instance : batch.hosts()) {
                HostLifecycle host = hosts.get(instance.id());
                if (host.state() == HostState.PENDING) inBatch.add(host);
            }
            pending.add(inBatch);
        }
        preparation = new Preparation(pending, strategy.prepare() == Plan.Prepare.ALL, (lifecycle, open) -> {
            // a fetch still running when the rollout ended reports to nobody: no event after the rollout's last
            Ports reporting = ports.withEvents(event -> {
                if (open.getAsBoolean()) ports.events().emit(event);
            });
            HostRollout host = new HostRollout(lifecycle.instance(), plan, reporting, lifecycle);
            return host.prepare(open) ? null : host.failure();
        });
        if (strategy.prepare() == Plan.Prepare.AHEAD) return null;
        Map<String, String> failed = preparation.awaitAll();
        if (failed.isEmpty()) return null;
        List<String> reasons = new ArrayList<>();
        failed.forEach((id, why) -> reasons.add(id + ": " + why));
        return "PREPARE failed on " + failed.size() + " host(s), nothing was changed: " + String.join("; ", reasons);
    }

    private Verdict rollBatch(Schedule.Batch batch, CapacityGuard guard, int fleetSize) throws InterruptedException {
        List<Instance> pending = batch.hosts().stream().filter(i -> hosts.get(i.id()).state() == HostState.PREPARED
                || (hosts.get(i.id()).state() == HostState.PENDING && preparation.covers(i.id()))).toList();
        if (pending.isEmpty()) return Verdict.CONTINUE;
        Verdict verdict = gate.checkBatchStart();
        if (!verdict.proceeds()) return verdict;
        events.emit(Step.BATCH, Event.Outcome.STARTED, null, batch.label());
        Instant batchStart = clock.now();
        int chunkSize = strategy.maxUnavailable().of(fleetSize, true);
        int failuresBefore = failures.size();
        for (int i = 0; i < pending.size() && verdict.proceeds(); i += chunkSize) {
            List<Instance> chunk = pending.subList(i, Math.min(i + chunkSize, pending.size()));
            verdict = gate.check();
            if (!verdict.proceeds()) break;
            // read beside the capacity count; a host still fetching (or that could not) is read when it leaves, if ever
            EarlyRegistrations registrations = plan.drain().leavesRotation() ? EarlyRegistrations.read(ports.registry(),
                    chunk.stream().filter(host -> preparation.fetched(host.id())).toList(), clock) : EarlyRegistrations.NONE;
            String capacity = guard.refusal(chunk);
            if (capacity != null) {
                verdict = policy.apply(capacity);
                break;
            }
            FanOut.run(chunk, chunk.size(), instance -> rollHost(instance, registrations));
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
            int allowed = strategy.maxFailures().of(fleetSize, false);
            if (failures.size() > allowed) {
                verdict = policy.apply(failures.size() + " host(s) failed, more than maxFailures " + strategy.maxFailures()
                        + " (last: " + lastFailure() + ")");
            } else {
                verdict = gate.check();
            }
        }
        int failed = failures.size() - failuresBefore;
        boolean ok = failed == 0 && verdict.proceeds();
        events.emit(Step.BATCH, ok ? Event.Outcome.OK : Event.Outcome.FAILED, Duration.between(batchStart, clock.now()),
                batch.label() + (failed == 0 ? "" : " — " + failed + " failed") + (verdict.proceeds() ? "" : " — stopped: " + verdict.reason()));
        return verdict;
    }

    private void rollHost(Instance instance, EarlyRegistrations registrations) {
        HostLifecycle lifecycle = hosts.get(instance.id());
        // prepare: ahead — a host leaves as soon as its own fetch is done; one that could not fetch never leaves
        String unfetched;
        try {
            unfetched = preparation.await(instance.id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unfetched = "interrupted while its release was fetched";
        }
        if (unfetched != null) {
            failures.put(instance.id(), "PREPARE: " + unfetched);
            if (lifecycle.state() == HostState.PENDING) lifecycle.moveTo(HostState.SKIPPED);
            return;
        }
        HostRollout host = new HostRollout(instance, plan, ports, lifecycle).fenced(gate.hostFence()).registeredAs(registrations);
        HostState state = host.run(gate);
        if (state != HostState.DONE && !host.refused()) failures.put(instance.id(), host.failure());
        if (host.previousVersion() != null && host.saved() != null) {
            SwitchedHost moved = new SwitchedHost(host.saved(), host.previousVersion());
            switched.add(moved);
            journal.switched(moved);
        }
    }

    private String lastFailure() {
        synchronized (failures) {
            String last = null;
            for (Map.Entry<String, String> failure : failures.entrySet()) last = failure.getKey() + ": " + failure.getValue();
            return last;
        }
    }

    private Verdict deployHooks(String name, List<String> hooks) throws InterruptedException {
        for (String hook : hooks) {
            Instant hookStart = clock.now();
            events.emit(Step.HOOK, Event.Outcome.STARTED, null, name + ": `" + hook + "`");
            HookResult result;
            try {
                result = ports.localHooks().run(name, hook,
                        Map.of("BATON_SERVICE", plan.service(), "BATON_VERSION", plan.version(), "BATON_HOOK", name));
            } catch (RuntimeException e) {
                result = new HookResult(-1, false, Duration.between(hookStart, clock.now()), Failures.describe(e));
            }
            Duration took = Duration.between(hookStart, clock.now());
            if (!result.ok()) {
                String why = name + " hook `" + hook + "` failed: " + result.describe();
                events.emit(Step.HOOK, Event.Outcome.FAILED, took, why);
                return Verdict.fail(name.equals("beforeDeploy") ? why + "; nothing was changed" : why);
            }
            events.emit(Step.HOOK, Event.Outcome.OK, took, name + ": `" + hook + "` " + result.describe());
        }
        return Verdict.CONTINUE;
    }

    /** Ends the rollout as the verdict says: aborted, failed, or rolled back first. */
    private RolloutResult end(Verdict verdict) {
        return switch (verdict.kind()) {
            case ABORT -> finish(RolloutResult.Status.ABORTED, verdict.reason());
            case FAIL, CONTINUE -> finish(RolloutResult.Status.FAILED, verdict.reason());
            case ROLLBACK -> {
                List<SwitchedHost> toRevert;
                synchronized (switched) {
                    toRevert = List.copyOf(switched);
                }
                Rollback.Outcome outcome = new Rollback(plan, ports, journal, hosts, events, gate.hostFence())
                        .run(verdict.reason(), toRevert);
                yield finish(outcome.status(), outcome.summary());
            }
        };
    }

    private List<HostLifecycle> snapshot() {
        synchronized (hosts) {
            return List.copyOf(hosts.values());
        }
    }

    private RolloutResult finish(RolloutResult.Status status, String summary) {
        if (traffic != null) traffic.stop();
        if (preparation != null) preparation.close();
        Map<String, HostState> states = new LinkedHashMap<>();
        // handed over: the hosts not rolled are the next owner's to roll, not skipped (nor is this run's to journal)
        boolean handedOver = control.fenceBroken() != null;
        for (HostLifecycle host : snapshot()) {
            if (!handedOver && (host.state() == HostState.PENDING || host.state() == HostState.PREPARED)) host.moveTo(HostState.SKIPPED);
            states.put(host.instance().id(), host.state());
        }
        Duration took = Duration.between(start, clock.now());
        events.emit(Step.ROLLOUT, status == RolloutResult.Status.SUCCEEDED ? Event.Outcome.OK : Event.Outcome.FAILED, took, summary);
        return new RolloutResult(status, summary, Map.copyOf(states));
    }
}
