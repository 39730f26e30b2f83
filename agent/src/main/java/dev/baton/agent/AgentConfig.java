package dev.baton.agent;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/** Everything the agent needs to run; built by {@link AgentMain} or directly by tests. */
public record AgentConfig(InetSocketAddress listen, Path home, String token, String appCommand, URI readyUrl) {

    public AgentConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(appCommand, "appCommand");
        Objects.requireNonNull(readyUrl, "readyUrl");
        if (token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        home = home.toAbsolutePath().normalize();
    }

    /** The app's port, taken from the ready URL: the port the load balancer sends traffic to. */
    public int appPort() {
        if (readyUrl.getPort() != -1) {
            return readyUrl.getPort();
        }
        return "https".equalsIgnoreCase(readyUrl.getScheme()) ? 443 : 80;
    }

    /** Never prints the token: configs end up in logs. */
    @Override
    public String toString() {
        return "AgentConfig[listen=" + listen + ", home=" + home + ", token=<redacted>, appCommand="
                + appCommand + ", readyUrl=" + readyUrl + "]";
    }
}
