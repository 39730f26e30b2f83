package dev.baton.rollout;

import java.time.Duration;
import java.util.Map;

/** Emits the rollout-wide events (no host). */
final class RolloutEvents {
    private final EventSink sink;
    private final Clock clock;

    RolloutEvents(EventSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    void emit(Step step, Event.Outcome outcome, Duration took, String detail) {
        sink.emit(Event.rollout(clock.now(), step, outcome, took, detail));
    }

    void emit(Step step, Event.Outcome outcome, Duration took, String detail, Map<String, Object> fields) {
        sink.emit(new Event(clock.now(), null, step, outcome, took, detail, null, null, fields));
    }
}
