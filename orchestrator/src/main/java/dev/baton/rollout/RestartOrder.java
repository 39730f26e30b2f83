package dev.baton.rollout;

import java.time.Duration;

/**
 * What a host is asked to do: drain, switch to {@code version} (fetching the artifact if needed), start, get
 * ready. {@code artifactUrl} and {@code sha256} are null for a release the host already has (a rollback).
 */
public record RestartOrder(String version, String artifactUrl, String sha256, String strategy,
                           Duration drainTimeout, Duration readyTimeout) {
}
