package dev.baton.rollout;

/** What the loop does next, as a value: go on, or end the rollout (aborted, failed) or roll it back, and why. */
record Verdict(Kind kind, String reason) {
    enum Kind { CONTINUE, ABORT, FAIL, ROLLBACK }

    static final Verdict CONTINUE = new Verdict(Kind.CONTINUE, null);

    static Verdict abort(String reason) {
        return new Verdict(Kind.ABORT, reason);
    }

    static Verdict fail(String reason) {
        return new Verdict(Kind.FAIL, reason);
    }

    static Verdict rollback(String reason) {
        return new Verdict(Kind.ROLLBACK, reason);
    }

    boolean proceeds() {
        return kind == Kind.CONTINUE;
    }
}
