package dev.baton.agent.app;

import dev.baton.agent.AgentHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a supervisor command learns about the release: BATON_HOME, BATON_CURRENT (the symlink), and BATON_VERSION and
 * BATON_RELEASE_DIR of the release {@code current} points at when the command runs. Versions come from requests, so
 * they reach commands only as these variables, never as words of a command line.
 */
public final class ReleaseEnvironment {

    private final AgentHome home;

    public ReleaseEnvironment(AgentHome home) {
        this.home = home;
    }

    public Map<String, String> variables() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BATON_HOME", home.root().toString());
        env.put("BATON_CURRENT", home.current().toString());
        try {
            Path target = Files.readSymbolicLink(home.current());
            Path release = home.root().resolve(target).normalize();
            env.put("BATON_VERSION", release.getFileName().toString());
            env.put("BATON_RELEASE_DIR", release.toString());
        } catch (IOException | UnsupportedOperationException e) {
            // no current release yet: the variables are absent rather than empty
        }
        return env;
    }
}
