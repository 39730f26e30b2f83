package dev.baton.notify;

import okhttp3.HttpUrl;

import java.time.Duration;
import java.util.Set;

/**
 * One receiver from the webhooks file. {@code services} empty means every service; {@code secret} null only for
 * the Slack format (JSON bodies are always signed). {@link #toString} never shows the URL's secret parts or the secret.
 */
public record Webhook(String name, HttpUrl url, byte[] secret, Format format, Set<WebhookKind> events, Set<String> services,
                      Retry retry, Duration timeout) {
    public enum Format { JSON, SLACK }

    /** Attempts in all (the first included); waits grow from {@code backoff} doubling up to {@code maxBackoff}, jittered. */
    public record Retry(int attempts, Duration backoff, Duration maxBackoff) {
    }

    public boolean wants(WebhookKind kind, String service) {
        return events.contains(kind) && (services.isEmpty() || services.contains(service));
    }

    /** Where it goes, safe for logs. */
    public String shown() {
        return name + " (" + SafeUrl.of(url) + ")";
    }

    @Override
    public String toString() {
        return "Webhook[" + shown() + ", " + format + ", " + events + ", services " + services + "]";
    }
}
