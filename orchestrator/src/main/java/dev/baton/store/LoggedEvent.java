package dev.baton.store;

import dev.baton.rollout.Event;

import java.time.Duration;
import java.time.Instant;

/** One entry of a rollout's event log with its sequence number: the shape stored in Consul and sent by the API. */
public record LoggedEvent(long seq, Instant at, String host, String step, String outcome, Long tookMs, String detail) {

    public static LoggedEvent of(long seq, Event event) {
        return new LoggedEvent(seq, event.at(), event.host(), event.step(), event.outcome().name(),
                event.took() == null ? null : event.took().toMillis(), event.detail());
    }

    public Event event() {
        return new Event(at, host, step, Event.Outcome.valueOf(outcome), tookMs == null ? null : Duration.ofMillis(tookMs), detail);
    }
}
