package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;

/** What an event stream carries: an event, a status change, or its end. */
public sealed interface StreamItem {
    /** An event with its JSON, encoded once however many watchers send it. */
    record EventItem(LoggedEvent event, String json) implements StreamItem {
        public EventItem(LoggedEvent event) {
            this(event, encode(event));
        }

        private static String encode(LoggedEvent event) {
            try {
                return dev.baton.store.Json.MAPPER.writeValueAsString(event);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot encode event " + event.seq() + ": " + e.getMessage(), e);
            }
        }
    }

    record StatusItem(RolloutStatus status) implements StreamItem {
    }

    /** The stream ends: after the final status, or because the watcher fell too far behind. */
    record End(boolean dropped) implements StreamItem {
    }
}
