package dev.baton.rollout;

import dev.baton.plan.Plan;

/** The plan's {@code onFailure}: roll back, pause (then whatever the operator says), or abort. */
final class FailurePolicy {
    private final Plan.OnFailure onFailure;
    private final RolloutControl control;
    private final Pauses pauses;

    FailurePolicy(Plan.OnFailure onFailure, RolloutControl control, Pauses pauses) {
        this.onFailure = onFailure;
        this.control = control;
        this.pauses = pauses;
    }

    Verdict apply(String reason) throws InterruptedException {
        return switch (onFailure) {
            case ROLLBACK -> Verdict.rollback(reason);
            case ABORT -> Verdict.abort("aborted on failure: " + reason);
            case PAUSE -> {
                control.pause();
                Verdict verdict = Pauses.verdict(pauses.await("paused on failure: " + reason), "by operator after: " + reason);
                if (verdict.proceeds() && control.paused()) yield Verdict.abort("not resumed within maxPause after: " + reason);
                yield verdict;
            }
        };
    }
}
