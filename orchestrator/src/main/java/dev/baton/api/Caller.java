package dev.baton.api;

/** Who made a request: the role and the name of the token (never the token itself). */
public record Caller(Role role, String name) {
}
