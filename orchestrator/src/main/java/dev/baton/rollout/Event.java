package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;

/**
 * One entry of a rollout's event log. {@code host} is null for rollout-wide events;
 * {@code took} is set when a step ends.
 */
public record Event(Instant at, String host, String step, Outcome outcome, Duration took, String detail) {
    public enum Outcome { STARTED, OK, FAILED, SKIPPED }
}
