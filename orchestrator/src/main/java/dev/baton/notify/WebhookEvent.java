package dev.baton.notify;

import java.time.Instant;

/**
 * What one webhook body tells: a rollout moment. {@code id} is the same for every attempt of a delivery, so a
 * receiver can drop duplicates (delivery is at least once). {@code outcome} is the engine's (e.g. a batch that
 * ended FAILED), null for final statuses.
 */
public record WebhookEvent(String id, String event, Instant at, String rollout, String service, String version,
                           String outcome, String detail, boolean resumed) {
}
