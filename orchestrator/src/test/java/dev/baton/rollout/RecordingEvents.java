package dev.baton.rollout;

import java.util.ArrayList;
import java.util.List;

final class RecordingEvents implements EventSink {
    final List<Event> events = java.util.Collections.synchronizedList(new ArrayList<>());
    private final FakeFleet fleet;

    RecordingEvents(FakeFleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public synchronized void emit(Event event) {
        events.add(event);
        fleet.calls.add("event " + event.host() + " " + event.step() + " " + event.outcome());
    }

    List<String> steps(String host) {
        return events.stream().filter(e -> host.equals(e.host()) && e.outcome() != Event.Outcome.STARTED)
                .map(e -> e.step() + " " + e.outcome()).toList();
    }

    Event last() {
        return events.get(events.size() - 1);
    }
}
