package dev.baton.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.store.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The body a receiver gets: the event as JSON, or a Slack-compatible {@code {"text": ...}}. */
final class WebhookBodies {
    private static final int MAX_DETAIL = 2000;

    private WebhookBodies() {
    }

    static byte[] of(Webhook.Format format, WebhookEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (format == Webhook.Format.SLACK) {
            body.put("text", slackText(event));
        } else {
            body.put("id", event.id());
            body.put("event", event.event());
            body.put("at", Json.time(event.at()));
            body.put("rollout", Map.of("id", event.rollout(), "service", event.service(), "version", event.version()));
            if (event.outcome() != null) body.put("outcome", event.outcome());
            body.put("detail", cut(event.detail()));
            body.put("resumed", event.resumed());
        }
        try {
            return Json.MAPPER.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always writes as JSON", e);
        }
    }

    private static String slackText(WebhookEvent e) {
        String text = "Baton: " + e.service() + " " + e.version() + " " + e.event().replace('-', ' ')
                + ("FAILED".equals(e.outcome()) ? " (FAILED)" : "")
                + " — " + e.rollout() + (e.detail() == null || e.detail().isBlank() ? "" : ": " + cut(e.detail()));
        // Slack reads <...> as links and mentions; an event's text must stay text
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String cut(String detail) {
        if (detail == null) return "";
        return detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "…" : detail;
    }
}
