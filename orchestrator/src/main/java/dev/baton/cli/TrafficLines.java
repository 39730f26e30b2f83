package dev.baton.cli;

import dev.baton.rollout.Event;
import dev.baton.rollout.Step;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a terminal shows of the TRAFFIC events (one a second): the first, then one per {@link #EVERY} of rollout time,
 * and the last before the rollout's end line, so that its totals are always on screen. JSON output gets them all.
 */
final class TrafficLines {
    static final Duration EVERY = Duration.ofSeconds(10);
    private Instant lastShown;
    private Event held;

    /** The events to print now for {@code event}, in order. */
    synchronized List<Event> lines(Event event) {
        List<Event> out = new ArrayList<>(2);
        if (event.step() == Step.TRAFFIC) {
            if (lastShown != null && event.at().isBefore(lastShown.plus(EVERY))) {
                held = event;
                return out;
            }
            lastShown = event.at();
            held = null;
        } else if (event.step() == Step.ROLLOUT && event.took() != null && held != null) {
            out.add(held);
            held = null;
        }
        out.add(event);
        return out;
    }
}
