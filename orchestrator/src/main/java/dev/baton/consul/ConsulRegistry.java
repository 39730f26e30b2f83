package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Registration;
import dev.baton.rollout.Registry;
import dev.baton.rollout.StepFailure;
import dev.baton.wire.Excerpt;
import okhttp3.HttpUrl;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The registry port over Consul. Reads go to the configured agent; every change goes to the agent that
 * owns the instance (a catalog-level change would be undone by anti-entropy). Waits are blocking queries, one per
 * service for all the hosts waiting on it.
 * Every id and name from Consul is checked by {@link ConsulNames} before it is used or acted on.
 */
public final class ConsulRegistry implements Registry {
    private static final String MAINTENANCE_CHECK = "_service_maintenance:";
    private static final String HOLD_CHECK = "baton-hold-";
    private static final Duration READ = Duration.ofSeconds(10);

    private final ConsulClient consul;
    private final HttpUrl address;
    private final boolean reregisters;
    /** Why an instance saved by this registry could not be registered again: deregistering it is refused. */
    private final Map<String, String> unrestorable = new ConcurrentHashMap<>();
    /**
     * The agent's checks as {@link #save} just read them, for the maintenance call that follows it in the same step
     * (LEAVE): read once, used once, within {@link #FRESH}.
     */
    private final Map<String, Read> justSaved = new ConcurrentHashMap<>();
    /**
     * Instances whose checks this registry has seen without a holding check of Baton's and has not put one on since:
     * turning their maintenance off needs no read first. Under the service lock no other Baton adds one meanwhile.
     */
    private final Set<String> knownWithoutHold = ConcurrentHashMap.newKeySet();
    private final Map<String, PassingWatch> watches = new ConcurrentHashMap<>();
    private static final Duration FRESH = Duration.ofSeconds(2);
    /** Runs reads that one step asks at once; shared by every registry of the process, threads made on demand. */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "baton-consul-read");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String localNode;

    private record Read(JsonNode checks, long atNanos) {
        boolean fresh() {
            return System.nanoTime() - atNanos < FRESH.toNanos();
        }
    }

    /** For a rollout that deregisters and registers again ({@code drain.mode: deregister}); see the 3-argument form. */
    public ConsulRegistry(ConsulClient consul, HttpUrl address) {
        this(consul, address, true);
    }

    /**
     * @param reregisters true when saved registrations will be registered again ({@code drain.mode: deregister}):
     *                    then {@link #save} fails up front, before anything changed, for a registration Consul would
     *                    not accept again. False for maintenance mode, where the registration never leaves Consul.
     */
    public ConsulRegistry(ConsulClient consul, HttpUrl address, boolean reregisters) {
        this.consul = consul;
        this.address = address;
        this.reregisters = reregisters;
    }

    @Override
    public List<Instance> instances(String service, String tag) throws StepFailure {
        JsonNode entries = consul.get(address, List.of("v1", "health", "service", service),
                q -> tag == null ? q : q.addQueryParameter("tag", tag), READ).body();
        List<Instance> out = new java.util.ArrayList<>(HealthEntries.instances(service, entries));
        out.sort(Comparator.comparing(Instance::node).thenComparing(Instance::id));
        return out;
    }

    @Override
    public Set<String> passing(String service) throws StepFailure {
        JsonNode entries = consul.get(address, List.of("v1", "health", "service", service),
                q -> q.addQueryParameter("passing", "true"), READ).body();
        if (!entries.isArray()) throw new StepFailure("Consul's health of service " + service + " is malformed: not a list");
        Set<String> ids = new HashSet<>();
        for (JsonNode entry : entries) ids.add(entry.path("Service").path("ID").asText());
        return ids;
    }

    /**
     * Reads the registration from the owning agent. What Consul withholds is noted in it (see
     * {@link RegistrationCompleteness}); saving fails only when this registry {@code reregisters} and Consul
     * would not accept the saved body again (and {@link #deregister} of such an instance is refused in any case).
     */
    @Override
    public String lostOnReregister(Registration saved) {
        return RegistrationCompleteness.incompleteReason(saved);
    }

    @Override
    public Registration save(Instance instance) throws StepFailure {
        String id = ConsulNames.require("service ID", instance.id());
        HttpUrl agent = owningAgent(instance);
        // the three reads are independent: asked at once (a LEAVE waits for one round trip, not three)
        CompletableFuture<JsonNode> service = read(agent, List.of("v1", "agent", "service", id), q -> q);
        // the instance's own checks and the agent's Connect proxies, filtered by Consul (on an agent with hundreds of
        // services the whole lists are large); the reader still matches each by exact service id
        CompletableFuture<JsonNode> checkRead = read(agent, List.of("v1", "agent", "checks"), q -> ownChecks(q, id));
        CompletableFuture<JsonNode> services = read(agent, List.of("v1", "agent", "services"),
                q -> q.addQueryParameter("filter", "Kind == \"connect-proxy\""));
        JsonNode checks = answer(checkRead);
        RegistrationReader.Saved saved = RegistrationReader.read(instance, answer(service), checks, answer(services));
        if (checks.isObject()) justSaved.put(key(instance), new Read(checks, System.nanoTime()));
        if (saved.unrestorable() == null) {
            unrestorable.remove(key(instance));
        } else {
            unrestorable.put(key(instance), saved.unrestorable());
            if (reregisters) {
                throw new StepFailure("cannot save the registration of " + id + " for deregister mode: " + saved.unrestorable()
                        + " (use drain.mode: maintenance, which keeps the registration)");
            }
        }
        return new Registration(instance, saved.definition());
    }

    /** A filter on the checks of one service id: the id is a {@link ConsulNames} safe name, no quote can end the literal. */
    private static HttpUrl.Builder ownChecks(HttpUrl.Builder query, String id) {
        return query.addQueryParameter("filter", "ServiceID == \"" + id + "\"");
    }

    private CompletableFuture<JsonNode> read(HttpUrl agent, List<String> path, java.util.function.UnaryOperator<HttpUrl.Builder> query) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return consul.get(agent, path, query, READ).body();
            } catch (StepFailure e) {
                throw new CompletionException(e);
            }
        }, READERS);
    }

    private static JsonNode answer(CompletableFuture<JsonNode> read) throws StepFailure {
        try {
            return read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StepFailure failure) throw failure;
            throw e;
        }
    }

    @Override
    public void deregister(Instance instance) throws StepFailure {
        String id = ConsulNames.require("service ID", instance.id());
        String reason = unrestorable.get(key(instance));
        if (reason != null) {
            throw new StepFailure("refusing to deregister " + id + ": " + reason + " (use drain.mode: maintenance, which keeps the registration)");
        }
        consul.put(owningAgent(instance), List.of("v1", "agent", "service", "deregister", id), q -> q, null);
    }

    /** Registers the saved definition, and only it: the id must be the instance's, Baton's own notes are left out. */
    @Override
    public void register(Registration registration) throws StepFailure {
        Instance instance = registration.instance();
        ConsulNames.require("service ID", instance.id());
        String unrestorable = RegistrationCompleteness.unrestorableReason(registration);
        if (unrestorable != null) throw new StepFailure("refusing to register " + instance.id() + ": " + unrestorable);
        Map<String, Object> definition = RegistrationCompleteness.forConsul(registration.definition());
        if (!instance.id().equals(definition.get("ID"))) {
            throw new StepFailure("refusing to register " + instance.id() + ": the saved definition is for "
                    + Excerpt.quoted(String.valueOf(definition.get("ID"))));
        }
        consul.put(owningAgent(instance), List.of("v1", "agent", "service", "register"), q -> q, definition);
    }

    @Override
    public void maintenance(Instance instance, boolean enable, String reason) throws StepFailure {
        String id = ConsulNames.require("service ID", instance.id());
        HttpUrl agent = owningAgent(instance);
        String hold = HOLD_CHECK + id;
        if (!enable && knownWithoutHold.contains(key(instance))) {
            setMaintenance(agent, id, false, null);
            return;
        }
        Read saved = justSaved.remove(key(instance));
        JsonNode checks = saved != null && saved.fresh() ? saved.checks()
                : consul.get(agent, List.of("v1", "agent", "checks"), q -> ownChecks(q, id), READ).body();
        if (checks.isObject() && !checks.has(hold)) knownWithoutHold.add(key(instance));
        else knownWithoutHold.remove(key(instance));
        JsonNode maintenance = checks.get(MAINTENANCE_CHECK + id);
        String current = maintenance == null ? null : maintenance.path("Notes").asText("");
        if (enable && reason != null && current != null && !current.equals(reason)) {
            knownWithoutHold.remove(key(instance));
            replaceMaintenanceReason(agent, id, hold, checks.has(hold), reason);
            return;
        }
        setMaintenance(agent, id, enable, reason);
        // a holding check left by a swap that failed half-way goes only once the maintenance is as asked
        if (checks.has(hold)) consul.put(agent, List.of("v1", "agent", "check", "deregister", hold), q -> q, null);
    }

    private void setMaintenance(HttpUrl agent, String id, boolean enable, String reason) throws StepFailure {
        consul.put(agent, List.of("v1", "agent", "service", "maintenance", id), q -> {
            q.addQueryParameter("enable", Boolean.toString(enable));
            return reason == null ? q : q.addQueryParameter("reason", reason);
        }, null);
    }

    /**
     * Consul keeps the first reason of a maintenance that is already on. To show a new one (a parked host's), the
     * maintenance goes off and on again while a critical check of Baton's holds the instance out of the passing set,
     * so that not one request can reach it in between. If turning it on again fails, the holding check stays (the
     * instance stays out) and the next call removes it.
     */
    private void replaceMaintenanceReason(HttpUrl agent, String id, String hold, boolean held, String reason) throws StepFailure {
        if (!held) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("ID", hold);
            check.put("Name", "baton: holds " + id + " out while its maintenance reason changes");
            check.put("ServiceID", id);
            check.put("TTL", "10m");
            check.put("Status", "critical");
            consul.put(agent, List.of("v1", "agent", "check", "register"), q -> q, check);
        }
        setMaintenance(agent, id, false, null);
        setMaintenance(agent, id, true, reason);
        consul.put(agent, List.of("v1", "agent", "check", "deregister", hold), q -> q, null);
    }

    /**
     * Waits on the service's {@link PassingWatch}: the hosts of a batch waiting on the same service share its reads
     * and its blocking query, and each trusts only answers to requests sent after it started waiting.
     */
    @Override
    public boolean awaitPassing(Instance instance, boolean passing, Duration timeout) throws StepFailure, InterruptedException {
        String service = ConsulNames.require("service name", instance.service());
        return watches.computeIfAbsent(service, name -> new PassingWatch(consul, address, name, READERS))
                .await(instance, passing, timeout);
    }

    private static String key(Instance instance) {
        return instance.node() + "/" + instance.id();
    }

    /** The HTTP address of the Consul agent on the instance's node: the configured one if it is that node. */
    private HttpUrl owningAgent(Instance instance) throws StepFailure {
        String node = ConsulNames.require("node name", instance.node());
        if (localNode == null) {
            localNode = consul.get(address, List.of("v1", "agent", "self"), q -> q, READ).body().path("Config").path("NodeName").asText();
        }
        if (node.equals(localNode)) return address;
        String nodeAddress = consul.get(address, List.of("v1", "catalog", "node", node), q -> q, READ).body()
                .path("Node").path("Address").asText("");
        if (nodeAddress.isEmpty()) throw new StepFailure("Consul has no address for node " + node);
        try {
            return address.newBuilder().host(nodeAddress).build();
        } catch (IllegalArgumentException e) {
            throw new StepFailure("refusing the address " + Excerpt.quoted(nodeAddress) + " of Consul node " + node);
        }
    }
}
