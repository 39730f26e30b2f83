package dev.baton.rollout;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;

/**
 * Asked before each batch and right before every host leaves rotation: the deploy windows (before a batch; before
 * each host too with {@code windowOverrun: pause}), the fence (does this process still own the rollout?), the
 * operator (pause waits here; abort and rollback stop here) and the progress deadline. The
 * first verdict that stops the rollout sticks, so every host still waiting to leave is refused with the same reason.
 */
final class OperatorGate implements LeaveGate {
    private final RolloutControl control;
    private final Pauses pauses;
    private final FailurePolicy policy;
    private final Plan.Strategy strategy;
    private final Clock clock;
    private final Instant start;
    private final WindowGate windows;
    private Verdict stopped;

    OperatorGate(RolloutControl control, Pauses pauses, FailurePolicy policy, Plan.Strategy strategy, Clock clock, Instant start,
                 WindowGate windows) {
        this.windows = windows;
        this.control = control;
        this.pauses = pauses;
        this.policy = policy;
        this.strategy = strategy;
        this.clock = clock;
        this.start = start;
    }

    synchronized Verdict check() throws InterruptedException {
        if (stopped != null) return stopped;
        Verdict verdict = decide();
        if (!verdict.proceeds()) stopped = verdict;
        return verdict;
    }

    /**
     * Before a batch starts: waits while the deploy windows are closed, then asks {@link #check}. Within a batch only
     * {@code windowOverrun: pause} consults the windows again (right before each host leaves); finishBatch lets it end.
     */
    synchronized Verdict checkBatchStart() throws InterruptedException {
        if (stopped != null) return stopped;
        Verdict verdict = windows.await();
        if (!verdict.proceeds()) {
            stopped = verdict;
            return verdict;
        }
        return check();
    }

    @Override
    public String refusal() throws InterruptedException {
        Verdict verdict = strategy.windowOverrun() == Plan.WindowOverrun.PAUSE ? checkBatchStart() : check();
        return verdict.proceeds() ? null : verdict.reason();
    }

    /** The fence alone: a rollback or recovery may go on after an abort, but never without the lock. */
    LeaveGate fenceOnly() {
        return control::fenceBroken;
    }

    /** The fence as each host step asks it. */
    HostFence hostFence() {
        return new HostFence(control::fenceBroken, control::handBackClosed);
    }

    private Verdict decide() throws InterruptedException {
        String fence = control.fenceBroken();
        if (fence != null) return Verdict.abort(fence);
        RolloutControl.Decision decision = control.decision();
        if (decision == RolloutControl.Decision.CONTINUE && control.paused()) {
            decision = pauses.await("paused by operator");
            fence = control.fenceBroken();
            if (fence != null) return Verdict.abort(fence);
        }
        Verdict operator = Pauses.verdict(decision, "by operator");
        if (!operator.proceeds()) return operator;
        Duration active = Duration.between(start, clock.now()).minus(pauses.total());
        if (active.compareTo(strategy.progressDeadline()) > 0) {
            return policy.apply("progress deadline " + Durations.format(strategy.progressDeadline()) + " exceeded");
        }
        return Verdict.CONTINUE;
    }
}
