package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;

/** Time that moves only when someone sleeps: every wait in the engine is instant and measurable. */
final class FakeClock implements Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        now = now.plus(duration);
    }

    Duration since(Instant start) {
        return Duration.between(start, now());
    }
}
