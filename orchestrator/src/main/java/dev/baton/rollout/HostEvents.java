package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Emits one host's events: each step's start and end with its duration, the release the host is moving to, the
 * state it is in, and the structured fields the step gathered. Not shared between threads: one per host.
 */
final class HostEvents {
    private final String host;
    private final HostLifecycle lifecycle;
    private final EventSink sink;
    private final Clock clock;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    HostEvents(String host, HostLifecycle lifecycle, EventSink sink, Clock clock) {
        this.host = host;
        this.lifecycle = lifecycle;
        this.sink = sink;
        this.clock = clock;
    }

    @FunctionalInterface
    interface Action {
        String run() throws StepFailure, InterruptedException;
    }

    /** Runs the action as {@code step}: STARTED, then OK with its detail or FAILED with the reason. */
    void step(Step step, Action action) throws StepFailure, InterruptedException {
        step(step, action, null);
    }

    /**
     * Like {@link #step(Step, Action)}; when the action succeeds the host first moves to {@code onSuccess} (if not
     * null), so that the OK event already carries where the host now stands.
     */
    void step(Step step, Action action, HostState onSuccess) throws StepFailure, InterruptedException {
        Instant start = clock.now();
        fields.clear();
        sink.emit(new Event(start, host, step, Event.Outcome.STARTED, null, null, lifecycle.version(), lifecycle.state(), Map.of()));
        try {
            String detail = action.run();
            if (onSuccess != null) lifecycle.moveTo(onSuccess);
            end(step, Event.Outcome.OK, start, detail);
        } catch (StepFailure e) {
            end(step, Event.Outcome.FAILED, start, e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            end(step, Event.Outcome.FAILED, start, "interrupted");
            throw e;
        } catch (RuntimeException | Error e) {
            end(step, Event.Outcome.FAILED, start, Failures.describe(e));
            throw e;
        }
    }

    /** A structured detail of the running step, sent with its end. */
    void field(String name, Object value) {
        fields.put(name, value);
    }

    void skip(Step step, String why) {
        sink.emit(new Event(clock.now(), host, step, Event.Outcome.SKIPPED, Duration.ZERO, why, lifecycle.version(),
                lifecycle.state(), Map.of()));
    }

    void end(Step step, Event.Outcome outcome, Instant start, String detail) {
        Instant now = clock.now();
        Map<String, Object> sent = new LinkedHashMap<>(fields);
        fields.clear();
        sink.emit(new Event(now, host, step, outcome, Duration.between(start, now), detail, lifecycle.version(),
                lifecycle.state(), sent));
    }
}
