package dev.baton.store;

import dev.baton.rollout.Event;
import dev.baton.rollout.Step;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ANALYSIS and TRAFFIC fields survive the event log: nulls (no baseline) and nested per-instance maps, in order. */
class TrafficEventJsonTest {
    @Test
    void nullsAndNestedMapsRoundTrip() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verdict", "pass");
        fields.put("baselineSuccessRate", null);
        fields.put("instances", Map.of("web-1", Map.of("rps", 63.5, "errorRate", 0.0)));
        Event event = new Event(Instant.parse("2026-01-01T00:00:00Z"), null, Step.ANALYSIS, Event.Outcome.OK, null, "pass", null, null, fields);

        String json = Json.MAPPER.writeValueAsString(LoggedEvent.of(7, event));
        assertThat(json).contains("\"fields\":{\"verdict\":\"pass\",\"baselineSuccessRate\":null,\"instances\":{\"web-1\":");
        Event back = Json.MAPPER.readValue(json, LoggedEvent.class).event();
        assertThat(back.fields()).containsEntry("baselineSuccessRate", null).containsKey("instances");
    }
}
