package dev.baton.plan;

/** A number of hosts written as a count ({@code 2}) or a share of the fleet ({@code "25%"}). */
public record Amount(int count, int percent) {
    public static Amount of(int count) {
        return new Amount(count, -1);
    }

    public static Amount percent(int percent) {
        return new Amount(-1, percent);
    }

    public boolean isPercent() {
        return percent >= 0;
    }

    /** Hosts out of {@code total}; a share rounds up, so "25%" of 3 hosts is 1, never 0. */
    public int of(int total, boolean atLeastOne) {
        int n = isPercent() ? (int) Math.ceil(total * percent / 100.0) : count;
        return atLeastOne ? Math.max(1, n) : n;
    }

    @Override
    public String toString() {
        return isPercent() ? percent + "%" : Integer.toString(count);
    }
}
