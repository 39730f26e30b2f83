package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.consul.ConsulClient;
import dev.baton.rollout.StepFailure;
import okhttp3.HttpUrl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The fleet as Consul sees it, every service and instance, with the release each host's agent reports. */
public final class FleetReader {
    private static final Duration READ = Duration.ofSeconds(5);
    private static final Duration VERSIONS = Duration.ofMillis(1200);

    public record Instance(String id, String address, int port, String node, String health, boolean maintenance, String version) {
    }

    public record Service(String name, List<Instance> instances) {
    }

    private final ConsulClient consul;
    private final HttpUrl address;
    private final AgentVersions versions;
    private final ExecutorService lookups;
    private final int agentPort;
    private final Supplier<String> agentToken;

    public FleetReader(ConsulClient consul, HttpUrl address, AgentVersions versions, ExecutorService lookups, int agentPort,
                       Supplier<String> agentToken) {
        this.consul = consul;
        this.address = address;
        this.versions = versions;
        this.lookups = lookups;
        this.agentPort = agentPort;
        this.agentToken = agentToken;
    }

    public List<Service> read() {
        try {
            JsonNode names = consul.get(address, "v1/catalog/services", q -> q, READ).body();
            Map<String, List<Instance>> services = new LinkedHashMap<>();
            for (Iterator<String> it = names.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (name.equals("consul")) continue;
                List<Instance> instances = new ArrayList<>();
                for (JsonNode entry : consul.get(address, "v1/health/service/" + name, q -> q, READ).body()) {
                    instances.add(instance(entry));
                }
                instances.sort(Comparator.comparing(Instance::id));
                services.put(name, instances);
            }
            return withVersions(services);
        } catch (StepFailure e) {
            throw new RolloutException(RolloutException.Kind.UNAVAILABLE, e.getMessage());
        }
    }

    private static Instance instance(JsonNode entry) {
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
        return new Instance(service.path("ID").asText(), addr, service.path("Port").asInt(),
                entry.path("Node").path("Node").asText(), health, maintenance, null);
    }

    /** Asks every host's agent at once; the ones that do not answer in time have no version. */
    private List<Service> withVersions(Map<String, List<Instance>> services) {
        String token = agentToken.get();
        Map<Instance, Future<String>> asked = new LinkedHashMap<>();
        for (List<Instance> instances : services.values()) {
            for (Instance instance : instances) {
                try {
                    asked.put(instance, lookups.submit(() -> versions.current("http", instance.address(), agentPort, token).orElse(null)));
                } catch (RejectedExecutionException stopping) {
                    break;
                }
            }
        }
        long deadline = System.nanoTime() + VERSIONS.toNanos();
        List<Service> out = new ArrayList<>();
        for (Map.Entry<String, List<Instance>> service : services.entrySet()) {
            List<Instance> instances = new ArrayList<>();
            for (Instance i : service.getValue()) {
                String version = null;
                Future<String> answer = asked.get(i);
                if (answer != null) {
                    try {
                        version = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (Exception noAnswer) {
                        answer.cancel(true);
                    }
                }
                instances.add(new Instance(i.id(), i.address(), i.port(), i.node(), i.health(), i.maintenance(), version));
            }
            out.add(new Service(service.getKey(), instances));
        }
        out.sort(Comparator.comparing(Service::name));
        return out;
    }
}
