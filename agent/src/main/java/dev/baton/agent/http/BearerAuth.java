package dev.baton.agent.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/** Checks {@code Authorization: Bearer <token>}. */
public final class BearerAuth {

    private static final String SCHEME = "Bearer ";
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer");

    private final byte[] expectedDigest;

    public BearerAuth(String token) {
        this.expectedDigest = sha256(token);
    }

    void check(String authorization) throws ApiException {
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException(401, "missing bearer token", CHALLENGE);
        }
        if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new ApiException(401, "expected an Authorization: Bearer header", CHALLENGE);
        }
        // Comparing fixed-length digests in constant time reveals neither content nor length of the token.
        byte[] given = sha256(authorization.substring(SCHEME.length()).trim());
        if (!MessageDigest.isEqual(expectedDigest, given)) {
            throw new ApiException(401, "invalid bearer token", CHALLENGE);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
