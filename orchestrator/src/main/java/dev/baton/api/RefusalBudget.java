package dev.baton.api;

/**
 * How many refused requests (unknown token, wrong role) the audit log records per window, so that a flood of bad
 * tokens cannot turn into a flood of Consul writes; the ones over the budget are counted and reported with the next
 * one recorded.
 */
final class RefusalBudget {
    private final int perWindow;
    private final long windowNanos;
    private long windowStart = System.nanoTime();
    private int used;
    private int skipped;

    RefusalBudget(int perWindow, java.time.Duration window) {
        this.perWindow = perWindow;
        this.windowNanos = window.toNanos();
    }

    /** -1 when this refusal is not to be recorded; else how many were skipped before it (0 usually). */
    synchronized int take() {
        long now = System.nanoTime();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            used = 0;
        }
        if (used >= perWindow) {
            skipped++;
            return -1;
        }
        used++;
        int before = skipped;
        skipped = 0;
        return before;
    }
}
