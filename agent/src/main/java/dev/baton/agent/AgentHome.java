package dev.baton.agent;

import java.nio.file.Path;

/** The fixed layout of the agent's home directory. */
public record AgentHome(Path root) {

    public AgentHome {
        root = root.toAbsolutePath().normalize();
    }

    public Path releases() {
        return root.resolve("releases");
    }

    /** Symlink to {@code releases/<version>}; the app is always launched through this path. */
    public Path current() {
        return root.resolve("current");
    }

    public Path pidFile() {
        return root.resolve("app.pid");
    }

    public Path appLog() {
        return root.resolve("app.log");
    }
}
