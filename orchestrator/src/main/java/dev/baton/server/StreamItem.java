package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;

import java.nio.charset.StandardCharsets;

/** What an event stream carries: an event, a status change, or its end. */
public sealed interface StreamItem {
    /** An event with its Server-Sent Events frame, encoded once however many watchers send it. */
    record EventItem(LoggedEvent event, byte[] frame) implements StreamItem {
        public EventItem(LoggedEvent event) {
            this(event, frame(event));
        }

        private static byte[] frame(LoggedEvent event) {
            try {
                String json = dev.baton.store.Json.MAPPER.writeValueAsString(event);
                return ("id: " + event.seq() + "\nevent: event\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot encode event " + event.seq() + ": " + e.getMessage(), e);
            }
        }

        /** The frame follows from the event: two items of one event are equal. */
        @Override
        public boolean equals(Object other) {
            return other instanceof EventItem item && event.equals(item.event);
        }

        @Override
        public int hashCode() {
            return event.hashCode();
        }

        @Override
        public String toString() {
            return "EventItem[" + event + "]";
        }
    }

    record StatusItem(RolloutStatus status) implements StreamItem {
    }

    /** The stream ends: after the final status, or because the watcher fell too far behind. */
    record End(boolean dropped) implements StreamItem {
    }
}
