package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.rollout.Instance;
import dev.baton.rollout.StepFailure;
import dev.baton.wire.Excerpt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what an agent reports about a service and its checks into the body that registers the same thing
 * again, and says what of it Consul did not give back. Consul's agent API returns a check's type, interval
 * and timeout but not its definition (headers, body, TLS options, thresholds, DeregisterCriticalServiceAfter,
 * TTL); the target of an HTTP or TCP check is recovered from the output of its last run, which names it.
 * Reading never fails on that (maintenance mode needs no re-registration): what is missing is recorded in the
 * definition under {@link RegistrationCompleteness#INCOMPLETE}, and under {@link RegistrationCompleteness#UNRESTORABLE}
 * when Consul would not even accept the saved body again.
 */
final class RegistrationReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> SERVICE_FIELDS = List.of(
            "ID", "Service", "Tags", "Address", "TaggedAddresses", "Meta", "Port", "SocketPath", "EnableTagOverride", "Weights",
            "Kind", "Proxy", "Connect", "Locality", "Namespace", "Partition");
    private static final Pattern HTTP_OUTPUT = Pattern.compile("^HTTP (GET|POST|PUT|HEAD|DELETE|PATCH|OPTIONS) (\\S+?): ");
    private static final Pattern TCP_OUTPUT = Pattern.compile("^TCP connect (\\S+?): ");
    private static final String HTTP_WITHHELD = "headers, body, method options, TLS options, thresholds, DeregisterCriticalServiceAfter";
    private static final String TCP_WITHHELD = "TLS options, thresholds, DeregisterCriticalServiceAfter";

    private RegistrationReader() {
    }

    /**
     * @param incomplete   null when Consul gave back everything, else what it withheld (one line)
     * @param unrestorable null when Consul would accept the saved body again, else why it would not
     */
    record Saved(Map<String, Object> definition, String incomplete, String unrestorable) {
    }

    /**
     * @param service  {@code /v1/agent/service/<id>}
     * @param checks   {@code /v1/agent/checks} (filtered by Consul to the service id): matched here by exact service id
     * @param services {@code /v1/agent/services} (the Connect proxies, or all): to find sidecars registered with the service
     */
    static Saved read(Instance instance, JsonNode service, JsonNode checks, JsonNode services) throws StepFailure {
        if (!service.isObject() || !instance.id().equals(service.path("ID").asText())
                || !instance.service().equals(service.path("Service").asText())) {
            throw new StepFailure("the Consul agent did not return the registration of " + instance.id()
                    + " (service " + instance.service() + ") but " + Excerpt.quoted(service.path("ID").asText()));
        }
        if (!checks.isObject()) throw new StepFailure("the Consul agent's check list is not an object");
        if (!services.isObject()) throw new StepFailure("the Consul agent's service list is not an object");
        Map<String, Object> out = new LinkedHashMap<>();
        for (String field : SERVICE_FIELDS) {
            JsonNode value = service.get(field);
            if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) continue;
            out.put(field.equals("Service") ? "Name" : field, MAPPER.convertValue(value, Object.class));
        }
        List<String> withheld = new ArrayList<>();
        List<String> unrestorable = new ArrayList<>();
        List<Map<String, Object>> definitions = new ArrayList<>();
        for (JsonNode check : checks) {
            if (!instance.id().equals(check.path("ServiceID").asText())) continue;
            definitions.add(check(check, withheld, unrestorable));
        }
        definitions.sort(Comparator.comparing(c -> String.valueOf(c.get("CheckID"))));
        if (!definitions.isEmpty()) out.put("Checks", definitions);
        for (JsonNode other : services) {
            if (other.path("Kind").asText().equals("connect-proxy")
                    && instance.id().equals(other.path("Proxy").path("DestinationServiceID").asText())) {
                withheld.add("Connect sidecar " + Excerpt.quoted(other.path("ID").asText()) + " (deregistered with it, not re-registered)");
            }
        }
        String incomplete = withheld.isEmpty() ? null
                : "Consul does not give back all of the registration of " + instance.id() + ": " + String.join("; ", withheld);
        String cannot = unrestorable.isEmpty() ? null : "cannot register " + instance.id() + " again: " + String.join("; ", unrestorable);
        if (incomplete != null) out.put(RegistrationCompleteness.INCOMPLETE, incomplete);
        if (cannot != null) out.put(RegistrationCompleteness.UNRESTORABLE, cannot);
        return new Saved(out, incomplete, cannot);
    }

    private static Map<String, Object> check(JsonNode check, List<String> withheld, List<String> unrestorable) {
        String id = check.path("CheckID").asText();
        String label = "check " + Excerpt.quoted(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("CheckID", id);
        out.put("Name", check.path("Name").asText());
        copyText(check, "Notes", out);
        copyText(check, "Interval", out);
        copyText(check, "Timeout", out);
        String type = check.path("Type").asText();
        String output = check.path("Output").asText("");
        boolean defined = copyDefinition(check.path("Definition"), out);
        switch (type) {
            case "http" -> {
                Matcher m = HTTP_OUTPUT.matcher(output);
                if (m.find()) {
                    out.putIfAbsent("HTTP", m.group(2));
                    if (!m.group(1).equals("GET")) out.putIfAbsent("Method", m.group(1));
                } else if (!out.containsKey("HTTP")) {
                    unrestorable.add(label + ": its HTTP target is not known until Consul has run it once");
                }
                if (!defined) withheld.add(label + " (http: " + HTTP_WITHHELD + ")");
            }
            case "tcp" -> {
                Matcher m = TCP_OUTPUT.matcher(output);
                if (m.find()) {
                    out.putIfAbsent("TCP", m.group(1));
                } else if (!out.containsKey("TCP")) {
                    unrestorable.add(label + ": its TCP target is not known until Consul has run it once");
                }
                if (!defined) withheld.add(label + " (tcp: " + TCP_WITHHELD + ")");
            }
            case "ttl" -> {
                if (!defined) {
                    withheld.add(label + " (ttl: the TTL, DeregisterCriticalServiceAfter)");
                    unrestorable.add(label + ": Consul withholds its TTL");
                }
            }
            default -> {
                if (!defined) {
                    withheld.add(label + " (" + type + ": its whole definition)");
                    unrestorable.add(label + ": Consul does not expose the definition of a " + type + " check");
                }
            }
        }
        return out;
    }

    /** Copies what Consul returned of the check's definition; whether it returned any. */
    private static boolean copyDefinition(JsonNode definition, Map<String, Object> out) {
        boolean any = false;
        Iterator<Map.Entry<String, JsonNode>> fields = definition.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (isUnset(field.getValue())) continue;
            out.put(field.getKey(), MAPPER.convertValue(field.getValue(), Object.class));
            any = true;
        }
        return any;
    }

    private static void copyText(JsonNode from, String field, Map<String, Object> to) {
        String value = from.path(field).asText("");
        if (!value.isEmpty()) to.put(field, value);
    }

    private static boolean isUnset(JsonNode value) {
        return value.isNull()
                || (value.isTextual() && (value.asText().isEmpty() || value.asText().equals("0s")))
                || (value.isBoolean() && !value.asBoolean())
                || (value.isNumber() && value.asLong() == 0)
                || (value.isContainerNode() && value.isEmpty());
    }
}
