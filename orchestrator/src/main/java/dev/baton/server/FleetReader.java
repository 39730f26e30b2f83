package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.consul.ConsulClient;
import dev.baton.rollout.StepFailure;
import okhttp3.HttpUrl;

import dev.baton.store.RolloutRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The fleet as Consul sees it, every service and instance, with the release each one runs as far as Baton knows
 * without asking anyone: the instance's Consul service meta {@code version}, else the release the last rollout
 * that touched it left there. Agents are never called from here: the catalog lists addresses anyone can register,
 * and no credential may go there.
 */
public final class FleetReader {
    private static final Duration READ = Duration.ofSeconds(5);
    static final String VERSION_META = "version";
    private static final Pattern SAFE_NAME = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,256}");

    public record Instance(String id, String address, int port, String node, String health, boolean maintenance, String version) {
    }

    public record Service(String name, List<Instance> instances) {
    }

    private final ConsulClient consul;
    private final HttpUrl address;
    private final Supplier<List<RolloutRecord>> history;

    /** @param history every rollout the server knows, newest first */
    public FleetReader(ConsulClient consul, HttpUrl address, Supplier<List<RolloutRecord>> history) {
        this.consul = consul;
        this.address = address;
        this.history = history;
    }

    public List<Service> read() {
        try {
            JsonNode names = consul.get(address, "v1/catalog/services", q -> q, READ).body();
            Map<String, String> known = lastKnownReleases();
            List<Service> services = new ArrayList<>();
            for (Iterator<String> it = names.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (name.equals("consul") || name.equals(LivenessCheck.SERVICE)) continue; // infrastructure, not a fleet
                List<Instance> instances = new ArrayList<>();
                if (SAFE_NAME.matcher(name).matches()) { // anything else could walk the path to another endpoint
                    for (JsonNode entry : consul.get(address, "v1/health/service/" + name, q -> q, READ).body()) {
                        instances.add(instance(entry, known));
                    }
                }
                instances.sort(Comparator.comparing(Instance::id));
                services.add(new Service(name, instances));
            }
            services.sort(Comparator.comparing(Service::name));
            return services;
        } catch (StepFailure e) {
            throw new RolloutException(RolloutException.Kind.UNAVAILABLE, e.getMessage());
        }
    }

    private static Instance instance(JsonNode entry, Map<String, String> known) {
        JsonNode service = entry.path("Service");
        String addr = service.path("Address").asText("");
        if (addr.isEmpty()) addr = entry.path("Node").path("Address").asText();
        String health = "passing";
        boolean maintenance = false;
        for (JsonNode check : entry.path("Checks")) {
            String id = check.path("CheckID").asText();
            if (id.startsWith("_service_maintenance:") || id.equals("_node_maintenance")) maintenance = true;
            String status = check.path("Status").asText();
            if (status.equals("critical")) health = "critical";
            else if (status.equals("warning") && health.equals("passing")) health = "warning";
        }
        String id = service.path("ID").asText();
        String version = service.path("Meta").path(VERSION_META).asText(null);
        if (version == null || version.isBlank()) version = known.get(id + "@" + addr);
        return new Instance(id, addr, service.path("Port").asInt(), entry.path("Node").path("Node").asText(), health,
                maintenance, version);
    }

    /** instance id @ address → the release the newest rollout that touched it reported or left there. */
    private Map<String, String> lastKnownReleases() {
        Map<String, String> known = new HashMap<>();
        for (RolloutRecord rollout : history.get()) {
            for (RolloutRecord.Host host : rollout.hosts()) {
                if (host.version() != null) known.putIfAbsent(host.id() + "@" + host.address(), host.version());
            }
        }
        return known;
    }
}
