package dev.baton.agent.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version the agent's jar was built as, from the pom.properties Maven puts in it; null outside a jar. */
final class AgentBuild {
    static final String VERSION = read();

    private AgentBuild() {
    }

    private static String read() {
        try (InputStream in = AgentBuild.class.getResourceAsStream("/META-INF/maven/dev.baton/baton-agent/pom.properties")) {
            if (in == null) return null;
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version");
            return version == null || version.isBlank() ? null : version.strip();
        } catch (IOException e) {
            return null;
        }
    }
}
