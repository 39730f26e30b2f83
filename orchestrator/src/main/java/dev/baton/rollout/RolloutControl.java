package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Operator commands reaching a running rollout (from the CLI, the API, the dashboard), and the fence that
 * says whether this process may still act on it. The engine reads them before every host leaves rotation, so
 * a pause, abort or rollback takes effect before the next instance goes out, never in the middle of a host.
 */
public final class RolloutControl {
    public enum Command { PAUSE, RESUME, ABORT, ROLLBACK, PROMOTE, OVERRIDE_WINDOW }

    /** What the engine does at the next host. */
    public enum Decision { CONTINUE, ABORT, ROLLBACK }

    private boolean paused;
    private boolean promoted;
    private boolean ended;
    private boolean windowOverridden;
    private volatile DeployWindows windows = DeployWindows.ALWAYS_OPEN;
    private Decision decision = Decision.CONTINUE;
    private volatile Supplier<String> fence = () -> null;
    private volatile Supplier<String> handBack = () -> null;

    /**
     * Sends a command; throws {@link IllegalStateException} with the reason when the rollout can no longer act on
     * it (it has ended, or is already being aborted or rolled back), so that no command is accepted and dropped.
     */
    public synchronized void send(Command command) {
        if (ended) throw new IllegalStateException("the rollout has ended");
        if (decision != Decision.CONTINUE && command != Command.ABORT) {
            throw new IllegalStateException("the rollout is already being " + (decision == Decision.ABORT ? "aborted" : "rolled back"));
        }
        switch (command) {
            case PAUSE -> paused = true;
            case RESUME -> paused = false;
            case ABORT -> decision = decision == Decision.ROLLBACK ? decision : Decision.ABORT;
            case ROLLBACK -> decision = Decision.ROLLBACK;
            case PROMOTE -> promoted = true;
            case OVERRIDE_WINDOW -> windowOverridden = true;
        }
        notifyAll();
    }

    /**
     * The check this process still owns the rollout (a server: it holds the service's lock). Returns null when it
     * does, otherwise why not; from then on no host leaves rotation.
     */
    public void fence(Supplier<String> check) {
        this.fence = check;
    }

    /**
     * The longer check that this process may still put back or park the hosts it has out of rotation after its
     * fence broke: null while it may, otherwise why not; from then on it leaves them to the next owner.
     */
    public void handBack(Supplier<String> check) {
        this.handBack = check;
    }

    /** The deploy windows batches must start in (the server's global and per-service ones); default always open. */
    public void windows(DeployWindows replacement) {
        this.windows = replacement;
    }

    public DeployWindows windows() {
        return windows;
    }

    /** An admin let the rollout go on outside its deploy windows, until it ends. */
    public synchronized boolean windowOverridden() {
        return windowOverridden;
    }

    String fenceBroken() {
        return fence.get();
    }

    String handBackClosed() {
        return handBack.get();
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

    /** The rollout is final: later commands are refused. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    public synchronized boolean ended() {
        return ended;
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
            if (fenceBroken() != null) return Decision.ABORT;
            if (!clock.now().isBefore(until)) return Decision.ABORT;
            clock.sleep(Duration.ofMillis(100));
        }
    }
}
