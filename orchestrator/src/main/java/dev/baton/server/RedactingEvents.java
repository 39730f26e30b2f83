package dev.baton.server;

import dev.baton.rollout.Event;
import dev.baton.rollout.EventSink;
import dev.baton.store.Redactor;

/** Takes secrets out of every event before it is kept, stored or shown. */
public final class RedactingEvents implements EventSink {
    private final EventSink next;
    private final Redactor redactor;

    public RedactingEvents(EventSink next, Redactor redactor) {
        this.next = next;
        this.redactor = redactor;
    }

    @Override
    public void emit(Event e) {
        next.emit(new Event(e.at(), e.host(), e.step(), e.outcome(), e.took(), redactor.redact(e.detail()), e.version(),
                e.state(), e.fields()));
    }
}
