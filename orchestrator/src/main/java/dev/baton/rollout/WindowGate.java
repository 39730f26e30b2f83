package dev.baton.rollout;

import dev.baton.plan.Durations;

import java.time.Duration;
import java.time.Instant;

/**
 * Holds the rollout at a boundary while its {@link DeployWindows} are closed, every host in rotation: one PAUSE
 * event says why and until when, another when it goes on (the window opened, or an admin overrode it). The wait
 * counts as paused time, is bounded by {@code strategy.maxPause}, and gives way to abort, rollback and the fence.
 */
final class WindowGate {
    /** How often a waiting rollout looks at the operator's commands and the fence. */
    private static final Duration POLL = Duration.ofMillis(250);

    private final RolloutControl control;
    private final Pauses pauses;
    private final Duration maxPause;
    private final Clock clock;
    private final RolloutEvents events;

    WindowGate(RolloutControl control, Pauses pauses, Duration maxPause, Clock clock, RolloutEvents events) {
        this.control = control;
        this.pauses = pauses;
        this.maxPause = maxPause;
        this.clock = clock;
        this.events = events;
    }

    Verdict await() throws InterruptedException {
        DeployWindows windows = control.windows();
        Instant waitedFrom = clock.now();
        DeployWindows.State state = windows.at(waitedFrom);
        if (state.open() || control.windowOverridden()) return Verdict.CONTINUE;
        Instant giveUp = waitedFrom.plus(maxPause);
        if (state.until() == null || state.until().isAfter(giveUp)) {
            return Verdict.abort("outside the deploy windows (" + state.why() + ") and the next one opens "
                    + (state.until() == null ? "not within a year" : "at " + state.until()) + ", after maxPause "
                    + Durations.format(maxPause) + "; every host is in rotation or parked");
        }
        events.emit(Step.PAUSE, Event.Outcome.STARTED, null, "outside the deploy windows (" + state.why() + "): waiting until "
                + state.until() + "; every host is in rotation or parked");
        String resumed = null;
        Verdict verdict = Verdict.CONTINUE;
        while (resumed == null) {
            Instant now = clock.now();
            RolloutControl.Decision decision = control.decision();
            if (control.fenceBroken() != null) {
                verdict = Verdict.abort(control.fenceBroken());
                resumed = "stopped";
            } else if (decision != RolloutControl.Decision.CONTINUE) {
                verdict = Pauses.verdict(decision, "by operator");
                resumed = decision.name().toLowerCase();
            } else if (control.windowOverridden()) {
                resumed = "deploy window overridden by an admin";
            } else if (windows.open(now)) {
                resumed = "deploy window open";
            } else if (!now.isBefore(giveUp)) {
                verdict = Verdict.abort("the deploy window did not open within maxPause " + Durations.format(maxPause)
                        + "; every host is in rotation or parked");
                resumed = "gave up";
            } else {
                Duration left = Duration.between(now, state.until());
                clock.sleep(left.isNegative() || left.isZero() || left.compareTo(POLL) > 0 ? POLL : left);
            }
        }
        Duration took = Duration.between(waitedFrom, clock.now());
        pauses.waited(took);
        events.emit(Step.PAUSE, Event.Outcome.OK, took, resumed);
        return verdict;
    }
}
