package dev.baton.agent.restart;

import java.util.List;

/** An immutable snapshot of an operation, exactly as the API returns it. */
public record OperationView(String id, State state, String version, String strategy, String previousVersion,
                            Long oldPid, Long newPid, String error, List<PhaseView> phases) {

    /** {@code durationMs} is null while the phase runs. */
    public record PhaseView(String name, State state, String startedAt, Long durationMs, String detail) {
    }
}
