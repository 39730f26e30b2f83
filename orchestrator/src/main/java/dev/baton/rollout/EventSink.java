package dev.baton.rollout;

/** Where events go: the console, the event log, the dashboard. */
@FunctionalInterface
public interface EventSink {
    void emit(Event event);
}
