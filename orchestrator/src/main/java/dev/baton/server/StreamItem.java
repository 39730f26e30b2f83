package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;

/** What an event stream carries: an event, a status change, or its end. */
public sealed interface StreamItem {
    record EventItem(LoggedEvent event) implements StreamItem {
    }

    record StatusItem(RolloutStatus status) implements StreamItem {
    }

    /** The stream ends: after the final status, or because the watcher fell too far behind. */
    record End(boolean dropped) implements StreamItem {
    }
}
