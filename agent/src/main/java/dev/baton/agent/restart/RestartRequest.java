package dev.baton.agent.restart;

/** The body of {@code POST /v1/restarts}, as sent; {@link RestartPlan} is its validated form. */
public record RestartRequest(String version, Artifact artifact, String strategy, Long drainTimeoutMs,
                             Long readyTimeoutMs) {

    public record Artifact(String url, String sha256) {
    }
}
