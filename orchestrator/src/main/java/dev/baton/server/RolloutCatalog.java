package dev.baton.server;

import dev.baton.store.RolloutRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The rollouts this server knows: the ones it runs (live), and the records of the others (ended, or run elsewhere). */
final class RolloutCatalog {
    static final Comparator<RolloutRecord> NEWEST_FIRST = Comparator.comparing(RolloutRecord::startedAt)
            .thenComparing(RolloutRecord::id).reversed();

    private final Map<String, LiveRollout> live = new ConcurrentHashMap<>();
    private final Map<String, RolloutRecord> known = new ConcurrentHashMap<>();

    Optional<LiveRollout> live(String id) {
        return Optional.ofNullable(live.get(id));
    }

    boolean isLive(String id) {
        return live.containsKey(id);
    }

    void addLive(LiveRollout rollout) {
        live.put(rollout.id(), rollout);
    }

    /** The rollout ended here: from now on it is a record. */
    void retire(LiveRollout rollout, RolloutRecord last) {
        known.put(last.id(), last);
        live.remove(rollout.id());
    }

    void remember(RolloutRecord record) {
        if (!live.containsKey(record.id())) known.put(record.id(), record);
    }

    Optional<RolloutRecord> known(String id) {
        return Optional.ofNullable(known.get(id));
    }

    Collection<RolloutRecord> knownRecords() {
        return known.values();
    }

    List<RolloutRecord> all() {
        List<RolloutRecord> all = new ArrayList<>();
        for (LiveRollout rollout : live.values()) all.add(rollout.record());
        for (RolloutRecord record : known.values()) {
            if (!live.containsKey(record.id())) all.add(record);
        }
        all.sort(NEWEST_FIRST);
        return all;
    }
}
