package dev.baton.agent.restart;

import dev.baton.agent.release.ArtifactPolicy;
import dev.baton.agent.release.ReleaseStore;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/** A validated restart request. {@code artifactUrl} and {@code sha256} are null when the version is installed. */
public record RestartPlan(String version, URI artifactUrl, String sha256, Strategy strategy, Duration drainTimeout,
                          Duration readyTimeout) {

    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** Checks everything that can be checked up front; throws {@link InvalidRequestException}. */
    public static RestartPlan validate(RestartRequest request, ReleaseStore store, ArtifactPolicy policy) {
        String version = request.version();
        boolean installed;
        try {
            installed = store.isInstalled(version);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        Strategy strategy = request.strategy() == null
                ? Strategy.STOP_START
                : Strategy.fromWireName(request.strategy()).orElseThrow(() -> new InvalidRequestException(
                        "strategy must be stop-start or handoff"));
        Duration drain = timeout("drainTimeoutMs", request.drainTimeoutMs(), DEFAULT_DRAIN_TIMEOUT);
        Duration ready = timeout("readyTimeoutMs", request.readyTimeoutMs(), DEFAULT_READY_TIMEOUT);
        RestartRequest.Artifact artifact = request.artifact();
        if (artifact == null) {
            if (!installed) {
                throw new InvalidRequestException("version " + version + " is not installed; artifact is required");
            }
            return new RestartPlan(version, null, null, strategy, drain, ready);
        }
        return new RestartPlan(version, url(artifact.url(), policy), sha256(artifact.sha256()), strategy, drain, ready);
    }

    private static Duration timeout(String field, Long millis, Duration fallback) {
        if (millis == null) {
            return fallback;
        }
        if (millis <= 0 || millis > MAX_TIMEOUT.toMillis()) {
            throw new InvalidRequestException(field + " must be between 1 and " + MAX_TIMEOUT.toMillis());
        }
        return Duration.ofMillis(millis);
    }

    /** Shared with {@link PrefetchService}, so both requests name their artifact by the same rules. */
    static URI url(String text, ArtifactPolicy policy) {
        try {
            return policy.check(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    static String sha256(String hex) {
        if (hex == null || !SHA256.matcher(hex).matches()) {
            throw new InvalidRequestException("artifact.sha256 must be 64 hex characters");
        }
        return hex.toLowerCase(Locale.ROOT);
    }
}
