package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;

/** Waiting while paused (by an operator or the failure policy), with its events and the time spent paused. */
final class Pauses {
    private final RolloutControl control;
    private final Duration maxPause;
    private final Clock clock;
    private final RolloutEvents events;
    private Duration total = Duration.ZERO;

    Pauses(RolloutControl control, Duration maxPause, Clock clock, RolloutEvents events) {
        this.control = control;
        this.maxPause = maxPause;
        this.clock = clock;
        this.events = events;
    }

    synchronized RolloutControl.Decision await(String why) throws InterruptedException {
        Instant pausedAt = clock.now();
        events.emit(Step.PAUSE, Event.Outcome.STARTED, null, why + "; every host is in rotation or parked");
        RolloutControl.Decision decision = control.awaitWhilePaused(clock, maxPause);
        Duration took = Duration.between(pausedAt, clock.now());
        total = total.plus(took);
        events.emit(Step.PAUSE, Event.Outcome.OK, took, decision == RolloutControl.Decision.CONTINUE ? "resumed"
                : decision.name().toLowerCase());
        return decision;
    }

    /** Time spent waiting elsewhere (for a deploy window), which the progress deadline does not count either. */
    synchronized void waited(Duration took) {
        total = total.plus(took);
    }

    synchronized Duration total() {
        return total;
    }

    /** The operator's decision as a verdict. */
    static Verdict verdict(RolloutControl.Decision decision, String by) {
        return switch (decision) {
            case ABORT -> Verdict.abort("aborted " + by + "; every host is in rotation or parked");
            case ROLLBACK -> Verdict.rollback("rollback requested " + by);
            case CONTINUE -> Verdict.CONTINUE;
        };
    }
}
