package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.rollout.Instance;
import dev.baton.rollout.StepFailure;
import dev.baton.wire.Excerpt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code /v1/health/service/<name>} strictly: an array of entries, each with the service's id, name and
 * port and the node's name and address, every one of them something Baton can safely put in a URL. An entry
 * that is not refuses the whole answer, so that the rollout fails to resolve its targets instead of acting
 * on an instance it cannot name.
 */
final class HealthEntries {
    /** An IPv4/IPv6 literal or a DNS name: what may become the host of a URL Baton calls. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");

    private HealthEntries() {
    }

    static List<Instance> instances(String service, JsonNode entries) throws StepFailure {
        if (!entries.isArray()) throw malformed(service, "not a list of instances");
        List<Instance> out = new ArrayList<>();
        for (JsonNode entry : entries) out.add(instance(service, entry));
        return out;
    }

    private static Instance instance(String service, JsonNode entry) throws StepFailure {
        JsonNode svc = entry.path("Service");
        JsonNode node = entry.path("Node");
        String id = text(service, svc, "ID");
        ConsulNames.require("service ID", id);
        String name = ConsulNames.require("service name of " + Excerpt.quoted(id), text(service, svc, "Service"));
        String nodeName = ConsulNames.require("node name of " + Excerpt.quoted(id), text(service, node, "Node"));
        String address = svc.path("Address").isTextual() && !svc.path("Address").asText().isEmpty()
                ? svc.path("Address").asText() : text(service, node, "Address");
        if (!HOST.matcher(address).matches()) {
            throw new StepFailure("refusing the address " + Excerpt.quoted(address) + " of service ID " + Excerpt.quoted(id)
                    + " from Consul: not an IP address or host name");
        }
        JsonNode port = svc.path("Port");
        if (!port.isInt() || port.asInt() < 1 || port.asInt() > 65535) {
            throw new StepFailure("refusing service ID " + Excerpt.quoted(id) + " from Consul: its port "
                    + Excerpt.quoted(port.toString()) + " is not 1-65535");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        node.path("Meta").fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
        return new Instance(id, name, nodeName, address, port.asInt(), Map.copyOf(meta));
    }

    /** Whether the entries list the instance (same service id on the same node). */
    static boolean lists(JsonNode entries, Instance instance) throws StepFailure {
        if (!entries.isArray()) throw malformed(instance.service(), "not a list of instances");
        for (JsonNode entry : entries) {
            if (entry.path("Service").path("ID").asText().equals(instance.id())
                    && entry.path("Node").path("Node").asText().equals(instance.node())) {
                return true;
            }
        }
        return false;
    }

    private static String text(String service, JsonNode object, String field) throws StepFailure {
        JsonNode value = object.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) throw malformed(service, "an entry without a text " + field);
        return value.asText();
    }

    private static StepFailure malformed(String service, String what) {
        return new StepFailure("Consul's health of service " + service + " is malformed: " + what);
    }
}
