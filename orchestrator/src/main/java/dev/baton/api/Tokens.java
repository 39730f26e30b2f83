package dev.baton.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The API tokens and their roles. Only their SHA-256 digests are kept, and a presented token is compared with
 * every one in constant time, so neither memory dumps nor timing give a token away.
 */
public final class Tokens {
    private final Map<byte[], Role> digests = new LinkedHashMap<>();

    /** @param roles token → role */
    public Tokens(Map<String, Role> roles) {
        roles.forEach((token, role) -> digests.put(digest(token), role));
    }

    public int size() {
        return digests.size();
    }

    /** The role of the token in an {@code Authorization: Bearer <token>} header, if it is one of ours. */
    public Optional<Role> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.empty();
        byte[] presented = digest(authorization.substring(7).strip());
        Role found = null;
        for (Map.Entry<byte[], Role> entry : digests.entrySet()) {
            if (MessageDigest.isEqual(entry.getKey(), presented)) found = entry.getValue();
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
