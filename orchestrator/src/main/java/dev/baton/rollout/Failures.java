package dev.baton.rollout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns anything thrown inside a step into one line for the event log; a bug also goes to the log with its trace. */
final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

    private Failures() {
    }

    static String describe(Throwable e) {
        if (e instanceof InterruptedException) return "interrupted";
        if (e instanceof StepFailure) return e.getMessage();
        String message = e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("");
        return "internal error " + e.getClass().getSimpleName() + message;
    }

    /** Not a failure the step expects (a StepFailure or an interrupt): a bug or a broken invariant. */
    static boolean isBug(Throwable e) {
        return !(e instanceof StepFailure) && !(e instanceof InterruptedException);
    }

    static void log(String host, Throwable e) {
        LOG.error("host {}: a step crashed; the host is being put back or parked", host, e);
    }
}
