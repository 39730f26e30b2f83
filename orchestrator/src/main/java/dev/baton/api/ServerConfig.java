package dev.baton.api;

import dev.baton.server.RolloutPorts;
import okhttp3.HttpUrl;

import java.time.Duration;
import java.util.function.Function;

/**
 * How a server runs. {@code env} gives the agents' tokens (the variable a plan names; {@code BATON_AGENT_TOKEN}
 * for the fleet view); {@code ports} null means the real adapters.
 */
public record ServerConfig(String host, int port, HttpUrl consul, String consulToken, Tokens tokens,
                           Function<String, String> env, int agentPort, Duration lockTtl, Duration recoveryEvery,
                           Duration keepAlive, RolloutPorts ports) {
    public static final String AGENT_TOKEN_ENV = "BATON_AGENT_TOKEN";

    public static ServerConfig of(String host, int port, HttpUrl consul, Tokens tokens, Function<String, String> env) {
        return new ServerConfig(host, port, consul, env.apply("CONSUL_HTTP_TOKEN"), tokens, env, 7070,
                Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(15), null);
    }

    public ServerConfig withAgentPort(int replacement) {
        return new ServerConfig(host, port, consul, consulToken, tokens, env, replacement, lockTtl, recoveryEvery, keepAlive, ports);
    }
}
