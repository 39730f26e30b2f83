package dev.baton.install;

import java.util.List;

/** How one host's install ended: one line for the operator, and under a dry run the planned changes. */
public record HostResult(String host, boolean ok, String line, List<String> planned) {
    static HostResult ok(String host, String line) {
        return new HostResult(host, true, line, List.of());
    }

    static HostResult failed(String host, String reason) {
        return new HostResult(host, false, "FAILED: " + reason, List.of());
    }

    static HostResult planned(String host, String note, List<String> changes) {
        String line = changes.isEmpty() ? note + "unchanged (dry run)"
                : note + changes.size() + " change" + (changes.size() == 1 ? "" : "s") + " planned (dry run, nothing done):";
        return new HostResult(host, true, line, changes);
    }

    /** The line(s) printed for this host. */
    public String text() {
        StringBuilder text = new StringBuilder(host).append(": ").append(line);
        planned.forEach(change -> text.append("\n  - ").append(change));
        return text.toString();
    }
}
