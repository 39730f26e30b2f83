package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * When batches may start: inside at least one allow window (always, when there is none) and inside no deny window.
 * The engine asks it at every batch boundary ({@link WindowGate}); the scheduler asks it before a late start.
 */
public final class DeployWindows {
    public static final DeployWindows ALWAYS_OPEN = new DeployWindows(List.of());
    /** How far ahead the next opening is searched; and how many window edges at most on the way. */
    static final Duration HORIZON = Duration.ofDays(366);
    private static final int MAX_EDGES = 10_000;

    private final List<DeployWindow> windows;

    public DeployWindows(List<DeployWindow> windows) {
        this.windows = List.copyOf(windows);
    }

    /** Open or closed at an instant, why, and until when (null: not within {@link #HORIZON}). */
    public record State(boolean open, String why, Instant until) {
    }

    public List<DeployWindow> windows() {
        return windows;
    }

    public boolean isEmpty() {
        return windows.isEmpty();
    }

    /** These windows and {@code more} together (global and per-service). */
    public DeployWindows and(DeployWindows more) {
        List<DeployWindow> all = new ArrayList<>(windows);
        all.addAll(more.windows);
        return new DeployWindows(all);
    }

    public State at(Instant now) {
        String closed = closedBecause(now);
        if (closed != null) return new State(false, closed, nextOpening(now));
        return new State(true, windows.isEmpty() ? "no deploy windows" : "inside the deploy windows", nextClosing(now));
    }

    public boolean open(Instant now) {
        return closedBecause(now) == null;
    }

    /** Null when open at {@code t}; otherwise the window that forbids it, or that no allow window is open. */
    private String closedBecause(Instant t) {
        boolean anyAllow = false;
        boolean allowed = false;
        for (DeployWindow window : windows) {
            if (window.kind() == DeployWindow.Kind.DENY) {
                if (window.openedBefore(t) != null) return "inside " + window.describe();
            } else {
                anyAllow = true;
                allowed |= window.openedBefore(t) != null;
            }
        }
        return !anyAllow || allowed ? null : "outside every allow window";
    }

    /** The first instant from {@code from} on when batches may start; null when not within {@link #HORIZON}. */
    public Instant nextOpening(Instant from) {
        Instant limit = from.plus(HORIZON);
        Instant t = from;
        for (int edge = 0; edge < MAX_EDGES && !t.isAfter(limit); edge++) {
            Instant later = null;
            for (DeployWindow window : windows) {
                if (window.kind() == DeployWindow.Kind.DENY) {
                    Instant end = window.closesAfter(t);
                    if (end != null && (later == null || end.isAfter(later))) later = end;
                }
            }
            if (later == null) {
                if (closedBecause(t) == null) return t;
                for (DeployWindow window : windows) {
                    if (window.kind() != DeployWindow.Kind.ALLOW) continue;
                    Instant opens = window.nextOpening(t);
                    if (opens != null && (later == null || opens.isBefore(later))) later = opens;
                }
                if (later == null) return null;
            }
            t = later;
        }
        return null;
    }

    /** When the open state ends next (the earliest deny start or allow end); null when not within {@link #HORIZON}. */
    private Instant nextClosing(Instant from) {
        Instant first = null;
        for (DeployWindow window : windows) {
            Instant edge = window.kind() == DeployWindow.Kind.DENY ? window.nextOpening(from) : window.closesAfter(from);
            if (edge != null && (first == null || edge.isBefore(first))) first = edge;
        }
        return first == null || first.isAfter(from.plus(HORIZON)) ? null : first;
    }
}
