package dev.baton.consul;

import dev.baton.rollout.Registration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a saved registration can be registered again without losing anything. Consul's agent API withholds
 * check definitions (headers, body, TLS options, TTL, DeregisterCriticalServiceAfter) and Connect sidecars, so
 * deregister + register is lossless only for a service without such checks. The reason travels inside the
 * saved definition (so it survives the journal in Consul KV) under a {@code baton-} key that is never sent
 * to Consul.
 */
public final class RegistrationCompleteness {
    /** Key in {@link Registration#definition()}: what Consul did not give back, one line. */
    public static final String INCOMPLETE = "baton-incomplete";
    /** Key in {@link Registration#definition()}: why Consul would not even accept the saved body again (e.g. a TTL check without its TTL). */
    public static final String UNRESTORABLE = "baton-unrestorable";
    /** Keys with this prefix are Baton's own notes on a saved definition; Consul rejects unknown fields. */
    static final String BATON_KEYS = "baton-";

    private RegistrationCompleteness() {
    }

    /** Null when the saved registration is complete; otherwise what deregister + register would lose. */
    public static String incompleteReason(Registration registration) {
        Object reason = registration.definition().get(INCOMPLETE);
        return reason == null ? null : reason.toString();
    }

    /**
     * Null when Consul would accept the saved definition again (possibly losing what {@link #incompleteReason}
     * names); otherwise why registering it would fail. Implies {@link #incompleteReason} is not null.
     */
    public static String unrestorableReason(Registration registration) {
        Object reason = registration.definition().get(UNRESTORABLE);
        return reason == null ? null : reason.toString();
    }

    /** The definition as Consul's register endpoint takes it: without Baton's own keys. */
    static Map<String, Object> forConsul(Map<String, Object> definition) {
        Map<String, Object> out = new LinkedHashMap<>(definition);
        out.keySet().removeIf(key -> key.startsWith(BATON_KEYS));
        return out;
    }
}
