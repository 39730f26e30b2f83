package dev.baton.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Who did what through the API, kept in Consul KV under {@code baton/audit/<epoch ms>-<random>} (one JSON entry per
 * key, so servers sharing a Consul never overwrite each other), at most {@code keep} entries: the oldest go first.
 * Writing an entry never fails the request it records: a Consul error is logged.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final String PREFIX = "baton/audit/";
    /** Pruning lists every key: do it once per this many writes, so the log holds at most keep + this many. */
    private static final int PRUNE_EVERY = 20;

    /** One API action: {@code actor} is the token's name, {@code status} the HTTP answer, {@code result} its line. */
    public record Entry(Instant at, String actor, String role, String action, String rollout, int status, String result) {
    }

    private final ConsulKv kv;
    private final int keep;
    private final SecureRandom random = new SecureRandom();
    private int writes;

    public AuditLog(ConsulKv kv, int keep) {
        this.kv = kv;
        this.keep = keep;
    }

    public void record(Entry entry) {
        String key = PREFIX + String.format("%013d-%08x", entry.at().toEpochMilli(), random.nextInt());
        try {
            kv.put(key, Json.MAPPER.writeValueAsBytes(entry));
            if (shouldPrune()) prune();
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("cannot write the audit entry {} {} by {}: {}", entry.action(), entry.rollout(), entry.actor(), e.getMessage());
        }
    }

    /** The newest {@code limit} entries, newest first. */
    public List<Entry> recent(int limit) {
        List<ConsulKv.Entry> stored = new ArrayList<>(kv.list(PREFIX));
        stored.sort(Comparator.comparing(ConsulKv.Entry::key).reversed());
        List<Entry> out = new ArrayList<>();
        for (ConsulKv.Entry e : stored) {
            if (out.size() >= limit) break;
            try {
                out.add(Json.MAPPER.readValue(e.value(), Entry.class));
            } catch (IOException unreadable) {
                // not ours: skip it
            }
        }
        return out;
    }

    private synchronized boolean shouldPrune() {
        return writes++ % PRUNE_EVERY == 0;
    }

    private void prune() {
        List<String> keys = new ArrayList<>(kv.keys(PREFIX));
        keys.removeIf(k -> k.endsWith("/"));
        if (keys.size() <= keep) return;
        keys.sort(null);
        for (String old : keys.subList(0, keys.size() - keep)) kv.delete(old);
    }
}
