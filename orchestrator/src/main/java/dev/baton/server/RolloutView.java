package dev.baton.server;

import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout's state as the API shows it, moved by its events: rollout-wide PAUSE, CANARY and ROLLBACK events
 * change the status, host events change that host; the final status comes from the engine's result. Not
 * thread-safe: {@link LiveRollout} locks it.
 */
final class RolloutView {
    private final String id;
    private final String service;
    private final String version;
    private final Instant startedAt;
    private final Map<String, HostTracker> hosts = new LinkedHashMap<>();
    private RolloutStatus status;
    private Instant endedAt;
    private String summary;

    RolloutView(RolloutRecord record) {
        this.id = record.id();
        this.service = record.service();
        this.version = record.version();
        this.startedAt = record.startedAt();
        this.status = record.status();
        this.endedAt = record.endedAt();
        this.summary = record.summary();
        for (RolloutRecord.Host host : record.hosts()) hosts.put(host.id(), HostTracker.of(host));
    }

    /** The hosts the rollout will touch, known before the engine starts (for the first answer). */
    void targets(List<Target> targets) {
        for (Target target : targets) hosts.putIfAbsent(target.id(), new HostTracker(target.id(), target.address()));
    }

    record Target(String id, String address) {
    }

    /** Applies an event; returns whether the status changed. */
    boolean apply(LoggedEvent e) {
        if (e.host() != null) {
            hosts.computeIfAbsent(e.host(), h -> new HostTracker(h, null)).apply(e);
            return false;
        }
        boolean started = e.outcome() == Event.Outcome.STARTED;
        RolloutStatus next = switch (e.step()) {
            case PAUSE -> started ? RolloutStatus.PAUSED : RolloutStatus.RUNNING;
            case CANARY -> started ? RolloutStatus.AWAITING_PROMOTION : RolloutStatus.RUNNING;
            case ROLLBACK -> started ? RolloutStatus.ROLLING_BACK : status;
            default -> status;
        };
        return change(next);
    }

    void moved(String host, HostState state, String movingTo) {
        hosts.computeIfAbsent(host, h -> new HostTracker(h, null)).moved(state, movingTo);
    }

    void reported(String host, String agentVersion) {
        HostTracker tracker = hosts.get(host);
        if (tracker != null) tracker.reported(agentVersion);
    }

    /** Returns whether the status changed. */
    boolean finish(RolloutStatus finalStatus, String finalSummary, Instant at) {
        summary = finalSummary;
        endedAt = at;
        return change(finalStatus);
    }

    /** After a restart of the server: running again, unless it was paused or rolling back. */
    void resumed() {
        if (status != RolloutStatus.PAUSED && status != RolloutStatus.ROLLING_BACK) status = RolloutStatus.RUNNING;
    }

    RolloutStatus status() {
        return status;
    }

    String id() {
        return id;
    }

    RolloutRecord record() {
        return new RolloutRecord(id, service, version, status, startedAt, endedAt, summary,
                hosts.values().stream().map(HostTracker::record).toList());
    }

    private boolean change(RolloutStatus next) {
        if (status.isFinal() || next == status) return false;
        status = next;
        return true;
    }
}
