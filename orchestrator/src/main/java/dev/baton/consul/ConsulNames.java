package dev.baton.consul;

import dev.baton.rollout.StepFailure;
import dev.baton.wire.Excerpt;

import java.util.regex.Pattern;

/**
 * The names and ids Baton accepts from Consul before using them in a URL or acting on them. Consul itself
 * accepts almost anything as a service id (slashes, quotes, control characters); Baton refuses those rather
 * than guess how a path or a filter would read them.
 */
public final class ConsulNames {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.:@-]{1,256}");
    static final String ALLOWED = "letters, digits and . _ - : @ (at most 256, not \".\", no \"..\")";

    private ConsulNames() {
    }

    public static boolean isSafe(String value) {
        return value != null && SAFE.matcher(value).matches() && !value.equals(".") && !value.contains("..");
    }

    /** {@code value} itself, or a failure naming what it is and why it is refused. */
    public static String require(String what, String value) throws StepFailure {
        if (!isSafe(value)) {
            throw new StepFailure("refusing " + what + " " + Excerpt.quoted(value) + " from Consul: only " + ALLOWED + " are allowed");
        }
        return value;
    }
}
