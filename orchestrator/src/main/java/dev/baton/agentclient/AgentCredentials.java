package dev.baton.agentclient;

import dev.baton.tls.TlsContexts;
import okhttp3.OkHttpClient;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * How Baton proves itself to the agents: mutual TLS with the operator's CA (the agent's certificate must name the
 * host Baton dialled), and/or a bearer token. A token travels in clear text only to loopback addresses (development);
 * to any other host it needs TLS.
 *
 * @param token null when the agents take no token
 * @param tls   null when no client certificate is configured
 */
public record AgentCredentials(String token, TlsContexts tls) {
    public static final String CA_ENV = "BATON_AGENT_CA";
    public static final String CERT_ENV = "BATON_AGENT_CERT";
    public static final String KEY_ENV = "BATON_AGENT_KEY";

    /**
     * The token, and TLS from {@code BATON_AGENT_CA}, {@code BATON_AGENT_CERT} and {@code BATON_AGENT_KEY} (PEM files:
     * {@code baton ca init}, {@code baton ca client-cert}) when they are set: all three, or none.
     */
    public static AgentCredentials of(String token, Function<String, String> env) {
        String ca = blankToNull(env.apply(CA_ENV));
        String cert = blankToNull(env.apply(CERT_ENV));
        String key = blankToNull(env.apply(KEY_ENV));
        if (ca == null && cert == null && key == null) return new AgentCredentials(blankToNull(token), null);
        if (ca == null || cert == null || key == null) {
            throw new IllegalArgumentException("mutual TLS with the agents needs all of " + CA_ENV + ", " + CERT_ENV + " and " + KEY_ENV);
        }
        try {
            return new AgentCredentials(blankToNull(token), TlsContexts.fromPem(Path.of(ca), Path.of(cert), Path.of(key)));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot load the agents' TLS credentials: " + e.getMessage(), e);
        }
    }

    /** {@code base} as it must be to reach agents: with the client certificate and the CA as only trust, if TLS. */
    public OkHttpClient client(OkHttpClient base) {
        if (tls == null) return base;
        return base.newBuilder().sslSocketFactory(tls.context().getSocketFactory(), tls.trust()).build();
    }

    /** The scheme agents are reached with: https whenever a client certificate is configured. */
    public String scheme(String planned) {
        return tls != null ? "https" : planned;
    }

    /** Whether the token may travel to {@code url}: over TLS, or in clear text to a loopback address only. */
    public boolean mayCarryToken(okhttp3.HttpUrl url) {
        return url.isHttps() || Loopback.is(url.host());
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
