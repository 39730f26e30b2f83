package dev.baton.notify;

import java.time.Instant;

/** One event on its way to one webhook; {@code attempts} made so far, the next not before {@code notBefore}. */
record Delivery(String id, String webhook, WebhookEvent event, int attempts, Instant notBefore) {
    Delivery failedOnce(Instant next) {
        return new Delivery(id, webhook, event, attempts + 1, next);
    }
}
