package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One entry of a rollout's event log. Host events carry the host, the release it is moving to and the state it
 * is in after the event; rollout-wide events have none of these. {@code took} is set when a step ends;
 * {@code fields} holds structured details (durations in ms, pids, checks verified) beside the human text.
 */
public record Event(Instant at, String host, Step step, Outcome outcome, Duration took, String detail,
                    String version, HostState state, Map<String, Object> fields) {
    public enum Outcome { STARTED, OK, FAILED, SKIPPED }

    public Event {
        // Insertion order kept, and null values allowed ("no baseline"): JSON shows them as null.
        fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** A rollout-wide event. */
    public static Event rollout(Instant at, Step step, Outcome outcome, Duration took, String detail) {
        return new Event(at, null, step, outcome, took, detail, null, null, Map.of());
    }
}
