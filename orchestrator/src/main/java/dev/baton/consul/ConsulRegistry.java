package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Registration;
import dev.baton.rollout.Registry;
import dev.baton.rollout.StepFailure;
import okhttp3.HttpUrl;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The registry port over Consul. Reads go to the configured agent; every change goes to the agent that
 * owns the instance (a catalog-level change would be undone by anti-entropy). Waits are blocking queries.
 */
public final class ConsulRegistry implements Registry {
    private static final Duration READ = Duration.ofSeconds(10);
    private static final Duration MAX_BLOCK = Duration.ofSeconds(20);

    private final ConsulClient consul;
    private final HttpUrl address;
    private String localNode;

    public ConsulRegistry(ConsulClient consul, HttpUrl address) {
        this.consul = consul;
        this.address = address;
    }

    @Override
    public List<Instance> instances(String service, String tag) throws StepFailure {
        JsonNode entries = consul.get(address, "v1/health/service/" + service,
                q -> tag == null ? q : q.addQueryParameter("tag", tag), READ).body();
        List<Instance> out = new ArrayList<>();
        for (JsonNode entry : entries) {
            out.add(instance(entry));
        }
        out.sort(Comparator.comparing(Instance::node).thenComparing(Instance::id));
        return out;
    }

    @Override
    public java.util.Set<String> passing(String service) throws StepFailure {
        JsonNode entries = consul.get(address, "v1/health/service/" + service, q -> q.addQueryParameter("passing", "true"), READ).body();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (JsonNode entry : entries) ids.add(entry.path("Service").path("ID").asText());
        return ids;
    }

    @Override
    public Registration save(Instance instance) throws StepFailure {
        HttpUrl agent = owningAgent(instance);
        JsonNode service = consul.get(agent, "v1/agent/service/" + instance.id(), q -> q, READ).body();
        JsonNode checks = consul.get(agent, "v1/agent/checks",
                q -> q.addQueryParameter("filter", "ServiceID == \"" + instance.id() + "\""), READ).body();
        return new Registration(instance, RegistrationReader.definition(instance, service, checks));
    }

    @Override
    public void deregister(Instance instance) throws StepFailure {
        consul.put(owningAgent(instance), "v1/agent/service/deregister/" + instance.id(), q -> q, null);
    }

    @Override
    public void register(Registration registration) throws StepFailure {
        consul.put(owningAgent(registration.instance()), "v1/agent/service/register", q -> q, registration.definition());
    }

    @Override
    public void maintenance(Instance instance, boolean enable, String reason) throws StepFailure {
        consul.put(owningAgent(instance), "v1/agent/service/maintenance/" + instance.id(),
                q -> q.addQueryParameter("enable", Boolean.toString(enable)).addQueryParameter("reason", reason), null);
    }

    @Override
    public boolean awaitPassing(Instance instance, boolean passing, Duration timeout) throws StepFailure, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        long index = 0;
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            Duration wait = left.compareTo(MAX_BLOCK) > 0 ? MAX_BLOCK : left;
            long since = index;
            ConsulClient.Answer answer = consul.get(address, "v1/health/service/" + instance.service(), q -> {
                q.addQueryParameter("passing", "true");
                if (since > 0 && !wait.isNegative() && !wait.isZero()) {
                    q.addQueryParameter("index", Long.toString(since)).addQueryParameter("wait", Math.max(1, wait.toMillis()) + "ms");
                }
                return q;
            }, wait.isNegative() ? READ : wait.plus(READ));
            if (isListed(answer.body(), instance) == passing) return true;
            if (!Instant.now().isBefore(deadline)) return false;
            if (Thread.interrupted()) throw new InterruptedException();
            // Consul may answer a blocking query early with an unchanged or reset index; never spin on it.
            index = answer.index() > since ? answer.index() : 0;
            if (index == 0) Thread.sleep(50);
        }
    }

    private static boolean isListed(JsonNode entries, Instance instance) {
        for (JsonNode entry : entries) {
            if (entry.path("Service").path("ID").asText().equals(instance.id())
                    && entry.path("Node").path("Node").asText().equals(instance.node())) {
                return true;
            }
        }
        return false;
    }

    private static Instance instance(JsonNode entry) {
        JsonNode service = entry.path("Service");
        JsonNode node = entry.path("Node");
        String address = service.path("Address").asText("");
        if (address.isEmpty()) address = node.path("Address").asText();
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>();
        node.path("Meta").fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
        return new Instance(service.path("ID").asText(), service.path("Service").asText(),
                node.path("Node").asText(), address, service.path("Port").asInt(), java.util.Map.copyOf(meta));
    }

    /** The HTTP address of the Consul agent on the instance's node: the configured one if it is that node. */
    private HttpUrl owningAgent(Instance instance) throws StepFailure {
        if (localNode == null) {
            localNode = consul.get(address, "v1/agent/self", q -> q, READ).body().path("Config").path("NodeName").asText();
        }
        if (instance.node().equals(localNode)) return address;
        JsonNode node = consul.get(address, "v1/catalog/node/" + instance.node(), q -> q, READ).body().path("Node");
        String nodeAddress = node.path("Address").asText("");
        if (nodeAddress.isEmpty()) throw new StepFailure("Consul has no address for node " + instance.node());
        return address.newBuilder().host(nodeAddress).build();
    }
}
