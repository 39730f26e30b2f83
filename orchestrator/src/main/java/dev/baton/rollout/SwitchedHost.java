package dev.baton.rollout;

/**
 * A host this rollout moved to the new release: what a rollback returns it to ({@code previousVersion}),
 * and its registration (marked parked when the host was parked in maintenance).
 */
public record SwitchedHost(Registration saved, String previousVersion) {
}
