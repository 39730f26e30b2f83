package dev.baton.rollout;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** What the host reports after a restart: its phases with timings, and the app's pids before and after. */
public record RestartReport(Long oldPid, Long newPid, String previousVersion, List<Phase> phases) {

    public record Phase(String name, String state, Duration took, String detail) {
    }

    public String summary() {
        String steps = phases.stream()
                .map(p -> p.name() + " " + (p.state().equals("SKIPPED") ? "skipped" : dev.baton.plan.Durations.format(p.took()))
                        + (p.detail() == null || p.detail().isBlank() ? "" : " (" + p.detail() + ")"))
                .collect(Collectors.joining(", "));
        return "pid " + oldPid + " -> " + newPid + ": " + steps;
    }
}
