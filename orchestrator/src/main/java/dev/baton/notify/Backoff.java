package dev.baton.notify;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with jitter: a random wait between half and all of backoff × 2^(attempt-1), capped at maxBackoff. */
final class Backoff {
    private Backoff() {
    }

    static Duration after(int failedAttempts, Webhook.Retry retry, RandomGenerator random) {
        long base = retry.backoff().toMillis();
        long ceiling = retry.maxBackoff().toMillis();
        long grown = base << Math.min(failedAttempts - 1, 30);
        long cap = grown <= 0 ? ceiling : Math.min(grown, ceiling);
        // half fixed, half random: never two receivers' retries in lockstep, never a retry at once
        return Duration.ofMillis(cap / 2 + random.nextLong(cap / 2 + 1));
    }
}
