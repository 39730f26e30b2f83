package dev.baton.lb;

import dev.baton.rollout.StepFailure;

import java.time.Duration;
import java.time.Instant;

/**
 * One runtime command asked once for every host polling the same backend: at most one exchange on its way at a time,
 * and a host takes the newest answer if it was asked after the last one it looked at, or waits for the one on its
 * way, or asks itself. Twenty hosts leaving together poll HAProxy as often as one does (HAProxy's stats socket
 * serves only a few connections at once, and refuses the rest).
 */
final class SharedQuestion<T> {
    @FunctionalInterface
    interface Ask<T> {
        T ask(Instant deadline, Duration budget) throws StepFailure;
    }

    /** An answer and when (System.nanoTime) its question was sent. */
    record Answer<T>(T value, long sentAt) {
    }

    private final Ask<T> ask;
    // guarded by this
    private Answer<T> last;
    private StepFailure lastFailure;
    private long lastFailureSentAt = Long.MIN_VALUE;
    private boolean onItsWay;

    SharedQuestion(Ask<T> ask) {
        this.ask = ask;
    }

    /** An answer to a question sent after {@code after} (System.nanoTime); the exchange is bounded by {@code deadline}. */
    Answer<T> sentAfter(long after, Instant deadline, Duration budget) throws StepFailure, InterruptedException {
        long sentAt;
        synchronized (this) {
            while (true) {
                if (lastFailure != null && lastFailureSentAt > after) throw lastFailure;
                if (last != null && last.sentAt() > after) return last;
                if (!onItsWay) break;
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) break; // ask ourselves: our own exchange fails at its deadline with HAProxy's own reason
                wait(left);
            }
            onItsWay = true;
            sentAt = System.nanoTime();
        }
        T value = null;
        StepFailure failure = null;
        try {
            value = ask.ask(deadline, budget);
        } catch (StepFailure e) {
            failure = e;
        } finally {
            synchronized (this) {
                onItsWay = false;
                if (failure != null) {
                    lastFailure = failure;
                    lastFailureSentAt = sentAt;
                } else if (value != null && (last == null || sentAt > last.sentAt())) {
                    last = new Answer<>(value, sentAt);
                }
                notifyAll();
            }
        }
        if (failure != null) throw failure;
        return new Answer<>(value, sentAt);
    }
}
