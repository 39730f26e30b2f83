package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;

import java.util.List;

/** A rollout with its event log and the controls that make sense now. */
public record RolloutDetails(RolloutRecord rollout, List<LoggedEvent> events, List<String> actions) {
}
