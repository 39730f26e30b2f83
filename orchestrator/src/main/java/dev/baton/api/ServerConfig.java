package dev.baton.api;

import dev.baton.hooks.DeployHooks;
import dev.baton.notify.Webhook;
import dev.baton.schedule.ServiceWindows;
import dev.baton.server.RolloutPorts;
import okhttp3.HttpUrl;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * How a server runs. {@code agentToken} is the server's own token for the Baton agents (null: none, rollouts are
 * refused); {@code hooks} the deploy hooks an admin defined; {@code tls} null means plain HTTP, which only a
 * loopback address or {@code insecureHttp} allows; {@code ports} null means the real adapters; {@code webhooks}
 * the receivers an admin configured (none: no webhook is sent); {@code windows} the deploy windows batches must
 * start in; {@code advertise} the URL other servers and clients reach this one at (null: the listening address), which
 * a follower names as the leader's.
 */
public record ServerConfig(String host, int port, HttpUrl consul, String consulToken, Tokens tokens, String agentToken,
                           DeployHooks hooks, ServerTls tls, boolean insecureHttp, int agentPort, Duration lockTtl,
                           Duration recoveryEvery, Duration keepAlive, RolloutPorts ports, List<Webhook> webhooks,
                           ServiceWindows windows, String advertise) {
    public static final String AGENT_TOKEN_ENV = "BATON_AGENT_TOKEN";

    public ServerConfig {
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        windows = windows == null ? ServiceWindows.NONE : windows;
    }

    /** Advertising the listening address. */
    public ServerConfig(String host, int port, HttpUrl consul, String consulToken, Tokens tokens, String agentToken,
                        DeployHooks hooks, ServerTls tls, boolean insecureHttp, int agentPort, Duration lockTtl,
                        Duration recoveryEvery, Duration keepAlive, RolloutPorts ports, List<Webhook> webhooks,
                        ServiceWindows windows) {
        this(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, agentPort, lockTtl, recoveryEvery,
                keepAlive, ports, webhooks, windows, null);
    }

    /** Without webhooks or deploy windows. */
    public ServerConfig(String host, int port, HttpUrl consul, String consulToken, Tokens tokens, String agentToken,
                        DeployHooks hooks, ServerTls tls, boolean insecureHttp, int agentPort, Duration lockTtl,
                        Duration recoveryEvery, Duration keepAlive, RolloutPorts ports) {
        this(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, agentPort, lockTtl, recoveryEvery,
                keepAlive, ports, List.of(), ServiceWindows.NONE, null);
    }

    /** Consul's ACL token and the agents' token from {@code env} (CONSUL_HTTP_TOKEN, BATON_AGENT_TOKEN). */
    public static ServerConfig of(String host, int port, HttpUrl consul, Tokens tokens, Function<String, String> env) {
        return new ServerConfig(host, port, consul, env.apply("CONSUL_HTTP_TOKEN"), tokens, env.apply(AGENT_TOKEN_ENV),
                DeployHooks.none(), null, false, 7070, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(15), null);
    }

    public ServerConfig withAgentPort(int replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, replacement,
                lockTtl, recoveryEvery, keepAlive, ports, webhooks, windows, advertise);
    }

    public ServerConfig withAgentToken(String replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, replacement, hooks, tls, insecureHttp, agentPort,
                lockTtl, recoveryEvery, keepAlive, ports, webhooks, windows, advertise);
    }

    public ServerConfig withHooks(DeployHooks replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, replacement, tls, insecureHttp, agentPort,
                lockTtl, recoveryEvery, keepAlive, ports, webhooks, windows, advertise);
    }

    public ServerConfig withTls(ServerTls replacement, boolean insecure) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, hooks, replacement, insecure, agentPort,
                lockTtl, recoveryEvery, keepAlive, ports, webhooks, windows, advertise);
    }

    public ServerConfig withPorts(RolloutPorts replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, agentPort,
                lockTtl, recoveryEvery, keepAlive, replacement, webhooks, windows, advertise);
    }

    public ServerConfig withWebhooks(List<Webhook> replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, agentPort,
                lockTtl, recoveryEvery, keepAlive, ports, replacement, windows, advertise);
    }

    /** The global and per-service deploy windows ({@code --windows-file}). */
    public ServerConfig withWindows(ServiceWindows replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, agentPort,
                lockTtl, recoveryEvery, keepAlive, ports, webhooks, replacement, advertise);
    }

    /** How long an event stream may stay quiet before it gets a keep-alive comment. */
    public ServerConfig withKeepAlive(Duration replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, agentPort,
                lockTtl, recoveryEvery, replacement, ports, webhooks, windows, advertise);
    }

    /** The URL clients reach this server at when it leads ({@code --advertise}); null: the listening address. */
    public ServerConfig withAdvertise(String replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, agentToken, hooks, tls, insecureHttp, agentPort,
                lockTtl, recoveryEvery, keepAlive, ports, webhooks, windows, replacement);
    }
}
