package dev.baton.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Headers on every answer (API, events, dashboard): scripts, styles and connections only from this server, no
 * inline script, never framed, no MIME sniffing, no referrer leaving; with TLS, browsers keep to HTTPS.
 */
final class SecurityHeaders {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    static Map<String, String> of(boolean tls) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", CSP);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Referrer-Policy", "no-referrer");
        if (tls) headers.put("Strict-Transport-Security", "max-age=31536000");
        return Map.copyOf(headers);
    }
}
