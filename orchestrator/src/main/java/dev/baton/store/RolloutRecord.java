package dev.baton.store;

import java.time.Instant;
import java.util.List;

/** A rollout as it is kept in Consul KV (and shown by the API, with its events and actions added). */
public record RolloutRecord(String id, String service, String version, RolloutStatus status, Instant startedAt,
                            Instant endedAt, String summary, List<Host> hosts) {

    /** One target host; {@code step} is null until its first step, {@code version} null when unknown. */
    public record Host(String id, String address, HostPhase state, String step, String version, List<StepRun> steps) {
    }

    /** One run of a step on a host; {@code outcome} is STARTED while it runs. */
    public record StepRun(String step, String outcome, Instant startedAt, Long tookMs, String detail) {
    }
}
