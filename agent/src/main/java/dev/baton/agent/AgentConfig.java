package dev.baton.agent;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the agent needs to run; built by {@link AgentMain} or directly by tests.
 * {@code tokenEnv} names the environment variable the token was read from, or is null; hooks never see it.
 * {@code appCommand} is null when a supervisor starts the app (the {@code systemd} and {@code command} strategies).
 */
public record AgentConfig(InetSocketAddress listen, Path home, String token, String tokenEnv, String appCommand,
                          URI readyUrl, AgentOptions options) {

    public AgentConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(readyUrl, "readyUrl");
        Objects.requireNonNull(options, "options");
        if (appCommand == null && options.processControl().agentLaunchesApp()) {
            throw new IllegalArgumentException("--process process needs --app-command");
        }
        if (token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        if (tokenEnv != null && tokenEnv.isBlank()) {
            throw new IllegalArgumentException("the token's environment variable name is empty");
        }
        home = home.toAbsolutePath().normalize();
    }

    /** A config with the default options: no hooks, no file: artifacts. */
    public AgentConfig(InetSocketAddress listen, Path home, String token, String tokenEnv, String appCommand,
                       URI readyUrl) {
        this(listen, home, token, tokenEnv, appCommand, readyUrl, AgentOptions.defaults());
    }

    /** A config whose token did not come from the environment, with the default options. */
    public AgentConfig(InetSocketAddress listen, Path home, String token, String appCommand, URI readyUrl) {
        this(listen, home, token, null, appCommand, readyUrl);
    }

    public AgentConfig withOptions(AgentOptions newOptions) {
        return new AgentConfig(listen, home, token, tokenEnv, appCommand, readyUrl, newOptions);
    }

    /** The app's port, taken from the ready URL: the port the load balancer sends traffic to. */
    public int appPort() {
        if (readyUrl.getPort() != -1) {
            return readyUrl.getPort();
        }
        return "https".equalsIgnoreCase(readyUrl.getScheme()) ? 443 : 80;
    }

    /**
     * The app's own address when the ready URL names a specific IP (as on a host with several addresses,
     * or the local fleet's 127.X.Y.n hosts); null for localhost, 127.0.0.1, ::1 or a host name, where the
     * app is taken to listen on every address and only the port tells its connections apart.
     */
    public String appAddress() {
        String host = readyUrl.getHost();
        if (host == null) return null;
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        boolean literal = bare.matches("\\d{1,3}(\\.\\d{1,3}){3}") || bare.contains(":");
        if (!literal || bare.equals("127.0.0.1") || bare.equals("::1") || bare.equals("0.0.0.0") || bare.equals("::")) return null;
        return bare;
    }

    /** Never prints the token: configs end up in logs. */
    @Override
    public String toString() {
        return "AgentConfig[listen=" + listen + ", home=" + home + ", token=<redacted>, tokenEnv=" + tokenEnv
                + ", appCommand=" + appCommand + ", readyUrl=" + readyUrl + ", options=" + options + "]";
    }
}
