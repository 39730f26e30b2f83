package dev.baton.wire;

import java.time.Duration;

/** OkHttp reads a zero timeout as "no timeout": every bound handed to it goes through here first. */
public final class Bounds {
    private static final Duration SMALLEST = Duration.ofMillis(1);

    private Bounds() {
    }

    /** {@code bound}, or one millisecond when it is zero or negative: never unbounded. */
    public static Duration finite(Duration bound) {
        return bound.compareTo(SMALLEST) < 0 ? SMALLEST : bound;
    }
}
