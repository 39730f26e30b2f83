package dev.baton.rollout;

import java.time.Duration;

/** What a host is asked to do: drain, switch to {@code version} (fetching the artifact if needed), start, get ready. */
public record RestartOrder(String version, String artifactUrl, String sha256, String strategy,
                           Duration drainTimeout, Duration readyTimeout) {
}
