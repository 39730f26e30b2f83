package dev.baton.store;

import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Step;

import java.time.Instant;
import java.util.List;

/** A rollout as it is kept in Consul KV (and shown by the API, with its events and actions added). */
public record RolloutRecord(String id, String service, String version, RolloutStatus status, Instant startedAt,
                            Instant endedAt, String summary, List<Host> hosts) {

    /**
     * One target host: its state as the engine moved it, the step it is in or last ran (null until its first),
     * the release it runs ({@code version}, null when unknown) and the one it is moving to ({@code target}).
     */
    public record Host(String id, String address, HostState state, Step step, String version, String target, List<StepRun> steps) {
    }

    /** One run of a step on a host; {@code outcome} is STARTED while it runs. */
    public record StepRun(Step step, Event.Outcome outcome, Instant startedAt, Long tookMs, String detail) {
    }
}
