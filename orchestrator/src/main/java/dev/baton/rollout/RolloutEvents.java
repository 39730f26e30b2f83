package dev.baton.rollout;

import java.time.Duration;

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
}
