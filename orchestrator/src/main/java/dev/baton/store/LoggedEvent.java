package dev.baton.store;

import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Step;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** One entry of a rollout's event log with its sequence number: the shape stored in Consul and sent by the API. */
public record LoggedEvent(long seq, Instant at, String host, Step step, Event.Outcome outcome, Long tookMs, String detail,
                          String version, HostState state, Map<String, Object> fields) {

    public LoggedEvent {
        fields = fields == null ? Map.of() : fields;
    }

    public static LoggedEvent of(long seq, Event event) {
        return new LoggedEvent(seq, event.at(), event.host(), event.step(), event.outcome(),
                event.took() == null ? null : event.took().toMillis(), event.detail(), event.version(), event.state(), event.fields());
    }

    public Event event() {
        return new Event(at, host, step, outcome, tookMs == null ? null : Duration.ofMillis(tookMs), detail, version, state, fields);
    }
}
