package dev.baton.agent.restart;

/** The body of {@code POST /v1/releases}: install a release ahead of its restart. */
public record PrefetchRequest(String version, RestartRequest.Artifact artifact) {
}
