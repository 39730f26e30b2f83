package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A record as stored (without the hosts' step runs, which the events already hold: the record is rewritten
 * after every event and must stay small) and as shown (step runs rebuilt from the events).
 */
final class RecordForm {
    private RecordForm() {
    }

    static RolloutRecord stored(RolloutRecord record) {
        return withHosts(record, record.hosts().stream()
                .map(h -> new RolloutRecord.Host(h.id(), h.address(), h.state(), h.step(), h.version(), h.target(), List.of())).toList());
    }

    static RolloutRecord shown(RolloutRecord stored, List<LoggedEvent> events) {
        Map<String, StepLog> logs = stored.hosts().stream()
                .collect(Collectors.toMap(RolloutRecord.Host::id, h -> new StepLog(), (a, b) -> a, java.util.LinkedHashMap::new));
        for (LoggedEvent event : events) {
            if (event.host() != null) logs.computeIfAbsent(event.host(), h -> new StepLog()).add(event);
        }
        Map<String, RolloutRecord.Host> byId = stored.hosts().stream()
                .collect(Collectors.toMap(RolloutRecord.Host::id, Function.identity(), (a, b) -> a));
        List<RolloutRecord.Host> hosts = logs.entrySet().stream().map(entry -> {
            RolloutRecord.Host host = byId.get(entry.getKey());
            List<RolloutRecord.StepRun> steps = entry.getValue().runs();
            if (host == null) {
                return new RolloutRecord.Host(entry.getKey(), null, dev.baton.rollout.HostState.PENDING, null, null, null, steps);
            }
            return new RolloutRecord.Host(host.id(), host.address(), host.state(), host.step(), host.version(), host.target(), steps);
        }).toList();
        return withHosts(stored, hosts);
    }

    private static RolloutRecord withHosts(RolloutRecord r, List<RolloutRecord.Host> hosts) {
        return new RolloutRecord(r.id(), r.service(), r.version(), r.status(), r.startedAt(), r.endedAt(), r.summary(), hosts);
    }
}
