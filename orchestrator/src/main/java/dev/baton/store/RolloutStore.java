package dev.baton.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Registration;
import dev.baton.rollout.Resume;
import dev.baton.rollout.SwitchedHost;
import dev.baton.rollout.HostState;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Rollouts in Consul KV. Under {@code baton/rollouts/<id>/}: {@code record} (the rollout as JSON), {@code plan}
 * (its text), {@code events/<seq>} (one key per event, zero-padded so that keys sort in order) and
 * {@code switched/<host>} (the release a host ran before this rollout switched it, for a rollback after a crash),
 * {@code journal/<host>} (per host, its last state and the release it is moving to), {@code saved/<host>} (the
 * registration saved before it left rotation). Under {@code baton/fleet/<service>}: the service's instances as the
 * last successful rollout saw them. Ids come from a per-day counter under {@code baton/ids/}.
 */
public final class RolloutStore {
    public static final String ROOT = "baton/";
    static final String ROLLOUTS = ROOT + "rollouts/";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final ConsulKv kv;
    /** Events, host states and records go to Consul grouped; what must be stored before an action goes at once. */
    private final BatchedWrites writes;

    public RolloutStore(ConsulKv kv) {
        this.kv = kv;
        this.writes = new BatchedWrites(kv);
    }


    /** Stores every queued write now; a process that ends (e.g. {@code baton recover}) calls it before it exits. */
    public void flush() {
        writes.flush();
    }

    /** A new id like {@code r-20261122-0001}, unique across servers sharing the Consul. */
    public String nextId(Instant now) {
        String day = DAY.format(now);
        String key = ROOT + "ids/" + day;
        for (int attempt = 0; attempt < 50; attempt++) {
            Optional<ConsulKv.Entry> current = kv.get(key);
            long next = current.map(e -> Long.parseLong(e.text().strip()) + 1).orElse(1L);
            if (kv.compareAndSet(key, bytes(Long.toString(next)), current.map(ConsulKv.Entry::modifyIndex).orElse(0L))) {
                return String.format("r-%s-%04d", day, next);
            }
        }
        throw new StoreException("cannot allocate a rollout id: the counter " + key + " keeps changing");
    }

    public void create(RolloutRecord record, String planText) {
        Map<String, Supplier<byte[]>> sets = new LinkedHashMap<>();
        sets.put(recordKey(record.id()), encoded(json(record)));
        sets.put(ROLLOUTS + record.id() + "/plan", encoded(bytes(planText)));
        writes.now(sets);
    }

    /**
     * The event of rollout {@code id}, with the record as it stands after it when {@code record} is not null
     * (atomically), with the next batch; {@code thenShow} (if not null) runs once it was sent to Consul, in event
     * order. An event announces, it is never what must be stored before an action ({@link #leaving} is). The record
     * need not ride with every event: when shown, its hosts are brought up to date from the events after it.
     */
    public void append(String id, LoggedEvent event, RolloutRecord record, Runnable thenShow) {
        Map<String, Supplier<byte[]>> sets = new LinkedHashMap<>();
        sets.put(eventKey(id, event.seq()), encoded(json(event)));
        // encoded when sent: of the records written within one batch only the last one is
        if (record != null) sets.put(recordKey(id), () -> json(record));
        writes.later(sets, thenShow);
    }

    /** Stores the record with everything queued before it, now. */
    public void save(RolloutRecord record) {
        writes.now(Map.of(recordKey(record.id()), encoded(json(record))));
    }

    /** Stores the record with the next batch. */
    public void saveLater(RolloutRecord record) {
        writes.later(Map.of(recordKey(record.id()), () -> json(record)));
    }

    public Optional<RolloutRecord> record(String id) {
        writes.flushBeforeRead();
        return kv.get(recordKey(id)).map(e -> read(e.value(), RolloutRecord.class));
    }

    /** The ids of every stored rollout. */
    public List<String> ids() {
        writes.flushBeforeRead();
        List<String> ids = new ArrayList<>();
        for (String key : kv.keys(ROLLOUTS)) {
            if (key.endsWith("/")) ids.add(key.substring(ROLLOUTS.length(), key.length() - 1));
        }
        return ids;
    }

    /** Every stored record. */
    public List<RolloutRecord> records() {
        List<RolloutRecord> out = new ArrayList<>();
        for (String id : ids()) record(id).ifPresent(out::add);
        return out;
    }

    public Optional<String> plan(String id) {
        writes.flushBeforeRead();
        return kv.get(ROLLOUTS + id + "/plan").map(ConsulKv.Entry::text);
    }

    public List<LoggedEvent> events(String id) {
        writes.flushBeforeRead();
        List<LoggedEvent> events = new ArrayList<>();
        for (ConsulKv.Entry entry : kv.list(ROLLOUTS + id + "/events/")) events.add(read(entry.value(), LoggedEvent.class));
        events.sort(Comparator.comparingLong(LoggedEvent::seq));
        return events;
    }

    /** A rollout's record and events, read together, and the index to wait on for the next change. */
    public record Watched(Optional<RolloutRecord> record, List<LoggedEvent> events, long index) {
    }

    /** With {@code index} > 0, waits up to {@code wait} for anything of the rollout to change before reading it. */
    public Watched watch(String id, long index, Duration wait) {
        String prefix = ROLLOUTS + id + "/";
        writes.flushBeforeRead();
        ConsulKv.Listing listing = kv.list(prefix, index, wait);
        RolloutRecord record = null;
        List<LoggedEvent> events = new ArrayList<>();
        for (ConsulKv.Entry entry : listing.entries()) {
            String rest = entry.key().substring(prefix.length());
            if (rest.equals("record")) record = read(entry.value(), RolloutRecord.class);
            else if (rest.startsWith("events/")) events.add(read(entry.value(), LoggedEvent.class));
        }
        events.sort(Comparator.comparingLong(LoggedEvent::seq));
        return new Watched(Optional.ofNullable(record), events, listing.index());
    }

    /**
     * Stored before the host leaves rotation, with everything queued before: the registration under
     * {@code saved/<host>}, then the state LEAVING under {@code journal/<host>}, in one transaction. After a crash, the
     * host is put back with exactly this registration.
     */
    public void leaving(String id, Registration saved) {
        String host = saved.instance().id();
        Map<String, Supplier<byte[]>> sets = new LinkedHashMap<>();
        sets.put(hostKey(id, "saved", host), encoded(json(registration(saved))));
        sets.put(journalKey(id, host), encoded(journalEntry(host, HostState.LEAVING, null)));
        writes.now(sets);
    }

    /** The host's state as the engine moved it, and the release it is moving to; stored with the next batch. */
    public void moved(String id, String host, HostState state, String version) {
        writes.later(Map.of(journalKey(id, host), encoded(journalEntry(host, state, version))));
    }

    private static byte[] journalEntry(String host, HostState state, String version) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("host", host);
        entry.put("state", state.name());
        entry.put("version", version);
        return json(entry);
    }

    /**
     * The host runs the new release; a rollback after a crash needs its previous version and registration. Stored with
     * the next batch (within {@link BatchedWrites#LINGER}): it records what happened, it does not precede an action.
     */
    public void switched(String id, SwitchedHost host) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("previousVersion", host.previousVersion());
        entry.set("registration", registration(host.saved()));
        writes.later(Map.of(hostKey(id, "switched", host.saved().instance().id()), encoded(json(entry))));
    }

    /** Where the rollout stood: each host's last state, and the saved registrations of the hosts that were out. */
    public Resume resume(String id) {
        writes.flushBeforeRead();
        Map<String, HostState> states = new LinkedHashMap<>();
        for (ConsulKv.Entry entry : kv.list(ROLLOUTS + id + "/journal/")) {
            JsonNode node = read(entry.value(), JsonNode.class);
            states.put(node.path("host").asText(), HostState.valueOf(node.path("state").asText()));
        }
        List<Registration> inFlight = new ArrayList<>();
        for (ConsulKv.Entry entry : kv.list(ROLLOUTS + id + "/saved/")) {
            Registration saved = registration(read(entry.value(), JsonNode.class));
            HostState state = states.get(saved.instance().id());
            if (state != null && state.outOfRotation()) inFlight.add(saved);
        }
        List<SwitchedHost> switched = new ArrayList<>();
        for (ConsulKv.Entry entry : kv.list(ROLLOUTS + id + "/switched/")) {
            JsonNode node = read(entry.value(), JsonNode.class);
            switched.add(new SwitchedHost(registration(node.path("registration")), node.path("previousVersion").asText()));
        }
        return new Resume(states, inFlight, switched);
    }

    /** The registration a host had when it left rotation (kept for a parked host), if any. */
    public Optional<Registration> saved(String id, String host) {
        writes.flushBeforeRead();
        return kv.get(hostKey(id, "saved", host)).map(e -> registration(read(e.value(), JsonNode.class)));
    }

    /** The service's instances as the last successful rollout saw them. */
    public Set<String> knownInstances(String service) {
        writes.flushBeforeRead();
        return kv.get(fleetKey(service)).map(e -> {
            Set<String> ids = new TreeSet<>();
            read(e.value(), JsonNode.class).forEach(n -> ids.add(n.asText()));
            return (Set<String>) ids;
        }).orElse(Set.of());
    }

    public void rememberInstances(String service, Set<String> ids) {
        writes.now(Map.of(fleetKey(service), encoded(json(new TreeSet<>(ids)))));
    }

    private static String fleetKey(String service) {
        return ROOT + "fleet/" + segment(service);
    }

    private static ObjectNode registration(Registration saved) {
        Instance i = saved.instance();
        ObjectNode instance = Json.MAPPER.createObjectNode().put("id", i.id()).put("service", i.service())
                .put("node", i.node()).put("address", i.address()).put("port", i.port());
        instance.set("nodeMeta", Json.MAPPER.valueToTree(i.nodeMeta()));
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.set("instance", instance);
        node.set("definition", Json.MAPPER.valueToTree(saved.definition()));
        return node;
    }

    private static Registration registration(JsonNode node) {
        JsonNode i = node.path("instance");
        Map<String, String> meta = new LinkedHashMap<>();
        i.path("nodeMeta").fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
        Instance instance = new Instance(i.path("id").asText(), i.path("service").asText(), i.path("node").asText(),
                i.path("address").asText(), i.path("port").asInt(), meta);
        return new Registration(instance, Json.MAPPER.convertValue(node.path("definition"), MAP));
    }

    private static String recordKey(String id) {
        return ROLLOUTS + id + "/record";
    }

    private static String eventKey(String id, long seq) {
        return ROLLOUTS + id + "/events/" + String.format("%010d", seq);
    }

    /** Host ids become one key segment: anything but letters, digits, '.', '_' and '-' is written as ~XX. */
    private static String journalKey(String id, String host) {
        return hostKey(id, "journal", host);
    }

    private static String hostKey(String id, String folder, String host) {
        return ROLLOUTS + id + "/" + folder + "/" + segment(host);
    }

    private static String segment(String name) {
        StringBuilder segment = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
                segment.append(c);
            } else {
                segment.append('~').append(String.format("%02X", b & 0xff));
            }
        }
        return segment.toString();
    }

    private static Supplier<byte[]> encoded(byte[] value) {
        return () -> value;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(Object value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new StoreException("cannot encode " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static <T> T read(byte[] value, Class<T> type) {
        try {
            return Json.MAPPER.readValue(value, type);
        } catch (IOException e) {
            throw new StoreException("a stored " + type.getSimpleName() + " is not readable: " + e.getMessage(), e);
        }
    }
}
