package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Never takes instances out if fewer than minHealthy would still pass in Consul. The fleet counts every
 * instance the rollout knows of, including those already absent or critical at the start: they are missing
 * capacity, not instances to forget.
 */
final class CapacityGuard {
    private static final Duration POLL = Duration.ofMillis(500);

    private final Registry registry;
    private final String service;
    private final Plan.Strategy strategy;
    private final int fleetSize;
    private final Clock clock;
    private final RolloutEvents events;

    CapacityGuard(Registry registry, String service, Plan.Strategy strategy, int fleetSize, Clock clock, RolloutEvents events) {
        this.registry = registry;
        this.service = service;
        this.strategy = strategy;
        this.fleetSize = fleetSize;
        this.clock = clock;
        this.events = events;
    }

    int minHealthy() {
        return strategy.minHealthy() != null ? strategy.minHealthy().of(fleetSize, false)
                : Math.max(0, fleetSize - strategy.maxUnavailable().of(fleetSize, true));
    }

    /** Waits (at most capacityWait) until the chunk may leave; null when it may, otherwise why not. */
    String refusal(List<Instance> chunk) throws InterruptedException {
        int minHealthy = minHealthy();
        if (minHealthy == 0) return null;
        Instant waitStart = clock.now();
        Instant until = waitStart.plus(strategy.capacityWait());
        boolean waiting = false;
        while (true) {
            String why;
            try {
                Set<String> passing = registry.passing(service);
                long leaving = chunk.stream().filter(i -> passing.contains(i.id())).count();
                long remaining = passing.size() - leaving;
                if (remaining >= minHealthy) {
                    if (waiting) events.emit(Step.CAPACITY, Event.Outcome.OK, Duration.between(waitStart, clock.now()), "enough passing again");
                    return null;
                }
                why = "taking " + String.join(", ", chunk.stream().map(Instance::id).toList()) + " out would leave "
                        + remaining + " passing, below minHealthy " + minHealthy + " of " + fleetSize + " (" + passing.size() + " passing now)";
            } catch (StepFailure e) {
                why = "cannot count passing instances: " + e.getMessage();
            }
            if (!waiting) {
                events.emit(Step.CAPACITY, Event.Outcome.STARTED, null, why + "; waiting up to " + Durations.format(strategy.capacityWait()));
                waiting = true;
            }
            if (!clock.now().isBefore(until)) {
                String failure = "capacity guard: " + why + " after waiting " + Durations.format(strategy.capacityWait());
                events.emit(Step.CAPACITY, Event.Outcome.FAILED, Duration.between(waitStart, clock.now()), failure);
                return failure;
            }
            clock.sleep(POLL);
        }
    }
}
