package dev.baton.api;

import java.util.Locale;
import java.util.Optional;

/** What a token may do: viewers read, deployers also start and control rollouts, admins everything. */
public enum Role {
    VIEWER, DEPLOYER, ADMIN;

    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String text) {
        for (Role role : values()) {
            if (role.label().equals(text)) return Optional.of(role);
        }
        return Optional.empty();
    }
}
