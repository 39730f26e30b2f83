package dev.baton.agentclient;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.rollout.StepFailure;

import java.util.ArrayList;
import java.util.List;

/**
 * One JSON object from an agent, read strictly: a field that is missing or of the wrong type is a failure
 * naming the agent, the request and the field, never a default that could read as success.
 */
record AgentReply(JsonNode json, String source) {
    AgentReply {
        if (!json.isObject()) throw new IllegalArgumentException("not an object");
    }

    static AgentReply of(JsonNode json, String source) throws StepFailure {
        if (!json.isObject()) throw new StepFailure(source + " sent a malformed reply: not a JSON object");
        return new AgentReply(json, source);
    }

    String text(String field) throws StepFailure {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) throw malformed(field, "a non-empty string");
        return value.asText();
    }

    /** A string or null (absent or JSON null). */
    String optionalText(String field) throws StepFailure {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw malformed(field, "a string or null");
        return value.asText();
    }

    long integer(String field) throws StepFailure {
        JsonNode value = json.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) throw malformed(field, "an integer");
        return value.asLong();
    }

    /** An integer or null (absent or JSON null). */
    Long optionalInteger(String field) throws StepFailure {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isIntegralNumber() || !value.canConvertToLong()) throw malformed(field, "an integer or null");
        return value.asLong();
    }

    boolean bool(String field) throws StepFailure {
        JsonNode value = json.get(field);
        if (value == null || !value.isBoolean()) throw malformed(field, "true or false");
        return value.asBoolean();
    }

    List<AgentReply> objects(String field) throws StepFailure {
        JsonNode value = json.get(field);
        if (value == null || !value.isArray()) throw malformed(field, "a list");
        List<AgentReply> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isObject()) throw malformed(field, "a list of objects");
            out.add(new AgentReply(item, source));
        }
        return out;
    }

    private StepFailure malformed(String field, String expected) {
        return new StepFailure(source + " sent a malformed reply: \"" + field + "\" is not " + expected);
    }
}
