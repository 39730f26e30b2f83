package dev.baton.rollout;

/** A restart that failed after the host may have switched releases: says which release it ran before. */
public final class RestartFailed extends StepFailure {
    private final String previousVersion;

    public RestartFailed(String message, String previousVersion) {
        super(message);
        this.previousVersion = previousVersion;
    }

    /** Null when the host never switched (e.g. the artifact failed to verify). */
    public String previousVersion() {
        return previousVersion;
    }
}
