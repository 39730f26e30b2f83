package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;

/**
 * Operator commands reaching a running rollout (from the CLI, the API, the dashboard). The engine reads
 * them only between hosts, never in the middle of one: a paused, aborted or rolled-back rollout never
 * leaves an instance out of rotation.
 */
public final class RolloutControl {
    public enum Command { PAUSE, RESUME, ABORT, ROLLBACK, PROMOTE }

    /** What the engine does at the next boundary. */
    public enum Decision { CONTINUE, ABORT, ROLLBACK }

    private boolean paused;
    private boolean promoted;
    private Decision decision = Decision.CONTINUE;

    public synchronized void send(Command command) {
        switch (command) {
            case PAUSE -> paused = true;
            case RESUME -> paused = false;
            case ABORT -> decision = Decision.ABORT;
            case ROLLBACK -> decision = Decision.ROLLBACK;
            case PROMOTE -> promoted = true;
        }
        notifyAll();
    }

    public synchronized boolean paused() {
        return paused;
    }

    synchronized void pause() {
        paused = true;
    }

    synchronized Decision decision() {
        return decision;
    }

    /** Consumes a promotion, if one was sent. */
    synchronized boolean takePromotion() {
        boolean was = promoted;
        promoted = false;
        return was;
    }

    /**
     * Blocks while paused, until resumed, aborted or rolled back, at most {@code max} (then the rollout
     * aborts: an operator who never comes back must not hold hosts forever). The clock's sleep keeps
     * tests instant.
     */
    Decision awaitWhilePaused(Clock clock, Duration max) throws InterruptedException {
        Instant until = clock.now().plus(max);
        while (true) {
            synchronized (this) {
                if (decision != Decision.CONTINUE || !paused) return decision;
            }
            if (!clock.now().isBefore(until)) return Decision.ABORT;
            clock.sleep(Duration.ofMillis(100));
        }
    }
}
