package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;

/**
 * After the canary batch: waits for an operator's promote (or promotes itself after {@code autoPromoteAfter}
 * healthy), watching the canaries; an unhealthy canary or no promotion within maxPause goes to the failure policy.
 */
final class CanaryGate {
    private final Plan plan;
    private final RolloutControl control;
    private final HealthProbe probe;
    private final FailurePolicy policy;
    private final Clock clock;
    private final RolloutEvents events;

    CanaryGate(Plan plan, RolloutControl control, HealthProbe probe, FailurePolicy policy, Clock clock, RolloutEvents events) {
        this.plan = plan;
        this.control = control;
        this.probe = probe;
        this.policy = policy;
        this.clock = clock;
        this.events = events;
    }

    /** CONTINUE once promoted; otherwise what the operator or the failure policy decided. */
    Verdict await(Schedule.Batch batch) throws InterruptedException {
        Plan.Strategy strategy = plan.strategy();
        Instant gateStart = clock.now();
        Duration auto = strategy.autoPromoteAfter();
        events.emit(Step.CANARY, Event.Outcome.STARTED, null, auto == null
                ? "canaries on " + plan.version() + ": waiting for promote"
                : "canaries on " + plan.version() + ": promoting after " + Durations.format(auto) + " healthy");
        Instant until = clock.now().plus(auto == null ? strategy.maxPause() : auto);
        while (true) {
            Verdict operator = Pauses.verdict(control.decision(), "by operator");
            if (!operator.proceeds()) return operator;
            String fence = control.fenceBroken();
            if (fence != null) return Verdict.abort(fence);
            if (control.takePromotion()) {
                events.emit(Step.CANARY, Event.Outcome.OK, Duration.between(gateStart, clock.now()), "promoted by operator");
                return Verdict.CONTINUE;
            }
            for (Instance canary : batch.hosts()) {
                HealthProbe.Result health = probe.check(canary);
                if (!health.healthy()) {
                    String why = "canary " + canary.id() + " turned unhealthy: " + health.detail();
                    events.emit(Step.CANARY, Event.Outcome.FAILED, Duration.between(gateStart, clock.now()), why);
                    return policy.apply(why);
                }
            }
            if (!clock.now().isBefore(until)) {
                if (auto != null) {
                    events.emit(Step.CANARY, Event.Outcome.OK, Duration.between(gateStart, clock.now()),
                            "promoted: healthy for " + Durations.format(auto));
                    return Verdict.CONTINUE;
                }
                String why = "canaries not promoted within " + Durations.format(strategy.maxPause());
                events.emit(Step.CANARY, Event.Outcome.FAILED, Duration.between(gateStart, clock.now()), why);
                return policy.apply(why);
            }
            clock.sleep(plan.health().interval().compareTo(Duration.ofSeconds(1)) < 0 ? plan.health().interval() : Duration.ofSeconds(1));
        }
    }
}
