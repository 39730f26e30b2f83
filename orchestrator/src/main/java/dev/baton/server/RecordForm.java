package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;

import java.util.List;
import java.util.Map;

/**
 * A record as stored (without the hosts' step runs, which the events already hold) and as shown (step runs rebuilt
 * from the events, hosts moved as the events after the record say).
 */
final class RecordForm {
    private RecordForm() {
    }

    static RolloutRecord stored(RolloutRecord record) {
        return withHosts(record, record.hosts().stream()
                .map(h -> new RolloutRecord.Host(h.id(), h.address(), h.state(), h.step(), h.version(), h.target(), List.of())).toList());
    }

    /**
     * The stored record brought up to date by the events: step runs rebuilt, and each host not settled when the record
     * was stored moved as its events say (each carries the host's state; the record rides with an event only when
     * the rollout's status changes, and is stored again when a host settles).
     */
    static RolloutRecord shown(RolloutRecord stored, List<LoggedEvent> events) {
        Map<String, RolloutRecord.Host> settled = new java.util.HashMap<>();
        Map<String, HostTracker> trackers = new java.util.LinkedHashMap<>();
        for (RolloutRecord.Host host : stored.hosts()) {
            trackers.put(host.id(), HostTracker.of(host));
            if (host.state() != null && host.state().settled()) settled.put(host.id(), host);
        }
        for (LoggedEvent event : events) {
            if (event.host() != null) trackers.computeIfAbsent(event.host(), h -> new HostTracker(h, null)).apply(event);
        }
        List<RolloutRecord.Host> hosts = trackers.values().stream().map(tracker -> {
            RolloutRecord.Host now = tracker.record();
            RolloutRecord.Host at = settled.get(now.id());
            return at == null ? now : new RolloutRecord.Host(at.id(), at.address(), at.state(), at.step(), at.version(), at.target(), now.steps());
        }).toList();
        return withHosts(stored, hosts);
    }

    private static RolloutRecord withHosts(RolloutRecord r, List<RolloutRecord.Host> hosts) {
        return new RolloutRecord(r.id(), r.service(), r.version(), r.status(), r.startedAt(), r.endedAt(), r.summary(), hosts);
    }
}
