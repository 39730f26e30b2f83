package dev.baton.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The API tokens, their roles and names. Only their SHA-256 digests are kept, and a presented token is compared
 * with every one in constant time, so neither memory dumps nor timing give a token away. A token without a name
 * is called {@code <role>-<first 8 hex digits of its digest>} in the audit log.
 */
public final class Tokens {
    private final Map<byte[], Caller> digests = new LinkedHashMap<>();

    /** @param roles token → role */
    public Tokens(Map<String, Role> roles) {
        this(roles, Map.of());
    }

    /** @param roles token → role; @param names token → name, for the tokens that have one */
    public Tokens(Map<String, Role> roles, Map<String, String> names) {
        roles.forEach((token, role) -> {
            byte[] digest = digest(token);
            String name = names.get(token);
            digests.put(digest, new Caller(role, name != null ? name : role.label() + "-" + HexFormat.of().formatHex(digest, 0, 4)));
        });
    }

    public int size() {
        return digests.size();
    }

    /** The role of the token in an {@code Authorization: Bearer <token>} header, if it is one of ours. */
    public Optional<Role> authenticate(String authorization) {
        return identify(authorization).map(Caller::role);
    }

    /** The role and name of the token in an {@code Authorization: Bearer <token>} header, if it is one of ours. */
    public Optional<Caller> identify(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.empty();
        byte[] presented = digest(authorization.substring(7).strip());
        Caller found = null;
        for (Map.Entry<byte[], Caller> entry : digests.entrySet()) {
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
