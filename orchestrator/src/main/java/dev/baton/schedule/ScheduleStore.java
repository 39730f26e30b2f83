package dev.baton.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.store.ConsulKv;
import dev.baton.store.Json;
import dev.baton.store.StoreException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Schedules in Consul KV, one JSON record per key under {@code baton/schedules/}; changes are compare-and-set. */
final class ScheduleStore {
    static final String PREFIX = "baton/schedules/";

    private final ConsulKv kv;

    ScheduleStore(ConsulKv kv) {
        this.kv = kv;
    }

    /** A record and the Consul index to compare-and-set it against. */
    record Versioned(ScheduleRecord record, long index) {
    }

    List<ScheduleRecord> all() {
        List<ScheduleRecord> out = new ArrayList<>();
        for (ConsulKv.Entry entry : kv.list(PREFIX)) out.add(decode(entry));
        return out;
    }

    Optional<Versioned> get(String id) {
        return kv.get(PREFIX + id).map(e -> new Versioned(decode(e), e.modifyIndex()));
    }

    void create(ScheduleRecord record) {
        if (!kv.compareAndSet(PREFIX + record.id(), encode(record), 0)) throw new StoreException("schedule " + record.id() + " exists already");
    }

    /** False when someone else changed it since {@code index} (another server fired or cancelled it). */
    boolean replace(ScheduleRecord record, long index) {
        return kv.compareAndSet(PREFIX + record.id(), encode(record), index);
    }

    private static byte[] encode(ScheduleRecord record) {
        try {
            return Json.MAPPER.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ScheduleRecord decode(ConsulKv.Entry entry) {
        try {
            return Json.MAPPER.readValue(entry.value(), ScheduleRecord.class);
        } catch (IOException e) {
            throw new StoreException("unreadable schedule " + entry.key() + ": " + e.getMessage(), e);
        }
    }
}
