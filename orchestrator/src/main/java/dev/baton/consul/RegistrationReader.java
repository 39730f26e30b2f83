package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.rollout.Instance;
import dev.baton.rollout.StepFailure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what an agent reports about a service and its checks into the body that registers exactly the
 * same thing again. Consul's API does not return a check's target (its HTTP URL or TCP address), only
 * the output of its last run, which names it; a check whose definition cannot be recovered that way
 * (TTL, script, never run yet) makes saving fail, before anything is changed.
 */
final class RegistrationReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> SERVICE_FIELDS = List.of(
            "ID", "Service", "Tags", "Address", "TaggedAddresses", "Meta", "Port", "EnableTagOverride", "Weights",
            "Kind", "Proxy", "Connect", "Namespace", "Partition");
    private static final Pattern HTTP_OUTPUT = Pattern.compile("^HTTP (GET|POST|PUT|HEAD|DELETE|PATCH|OPTIONS) (\\S+?): ");
    private static final Pattern TCP_OUTPUT = Pattern.compile("^TCP connect (\\S+?): ");

    private RegistrationReader() {
    }

    static Map<String, Object> definition(Instance instance, JsonNode service, JsonNode checks) throws StepFailure {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String field : SERVICE_FIELDS) {
            JsonNode value = service.get(field);
            if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) continue;
            out.put(field.equals("Service") ? "Name" : field, MAPPER.convertValue(value, Object.class));
        }
        List<Map<String, Object>> definitions = new ArrayList<>();
        for (JsonNode check : checks) {
            definitions.add(check(instance, check));
        }
        definitions.sort(Comparator.comparing(c -> String.valueOf(c.get("CheckID"))));
        if (!definitions.isEmpty()) out.put("Checks", definitions);
        return out;
    }

    private static Map<String, Object> check(Instance instance, JsonNode check) throws StepFailure {
        String id = check.path("CheckID").asText();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("CheckID", id);
        out.put("Name", check.path("Name").asText());
        copyText(check, "Notes", out);
        copyText(check, "Interval", out);
        copyText(check, "Timeout", out);
        String type = check.path("Type").asText();
        String output = check.path("Output").asText("");
        switch (type) {
            case "http" -> {
                Matcher m = HTTP_OUTPUT.matcher(output);
                if (!m.find()) throw unrecoverable(instance, id, "its HTTP target is not known until Consul has run it once");
                out.put("HTTP", m.group(2));
                if (!m.group(1).equals("GET")) out.put("Method", m.group(1));
            }
            case "tcp" -> {
                Matcher m = TCP_OUTPUT.matcher(output);
                if (!m.find()) throw unrecoverable(instance, id, "its TCP target is not known until Consul has run it once");
                out.put("TCP", m.group(1));
            }
            default -> throw unrecoverable(instance, id, "Consul does not expose the definition of a " + type + " check");
        }
        Iterator<Map.Entry<String, JsonNode>> extra = check.path("Definition").fields();
        while (extra.hasNext()) {
            Map.Entry<String, JsonNode> field = extra.next();
            if (!isUnset(field.getValue())) out.put(field.getKey(), MAPPER.convertValue(field.getValue(), Object.class));
        }
        return out;
    }

    private static StepFailure unrecoverable(Instance instance, String checkId, String why) {
        return new StepFailure("cannot save the registration of " + instance.id() + ": check " + checkId + ": " + why
                + " (use drain.mode: maintenance, which keeps the registration)");
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
