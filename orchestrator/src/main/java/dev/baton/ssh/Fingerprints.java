package dev.baton.ssh;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** Host key fingerprints as OpenSSH prints them: {@code SHA256:} and the unpadded base64 of the key blob's digest. */
final class Fingerprints {
    private Fingerprints() {
    }

    static String sha256(byte[] keyBlob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String sha256(String base64KeyBlob) {
        return sha256(Base64.getDecoder().decode(base64KeyBlob));
    }
}
