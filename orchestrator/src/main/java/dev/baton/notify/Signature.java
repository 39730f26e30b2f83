package dev.baton.notify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * {@code X-Baton-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}. The timestamp is signed
 * with the body, so a receiver that also refuses timestamps outside its replay window cannot be fed an old delivery
 * again. {@link #verify} is the receiver's check, written out for receivers to copy.
 */
public final class Signature {
    public static final String HEADER = "X-Baton-Signature";
    public static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);

    private Signature() {
    }

    public static String header(byte[] secret, Instant at, byte[] body) {
        long t = at.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(hmac(secret, t, body));
    }

    /** True when the header signs this body with this secret and its timestamp is within {@code window} of {@code now}. */
    public static boolean verify(String header, byte[] secret, byte[] body, Instant now, Duration window) {
        if (header == null) return false;
        Long t = null;
        byte[] given = null;
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) continue;
            try {
                if (kv[0].equals("t")) t = Long.parseLong(kv[1]);
                if (kv[0].equals("v1")) given = HexFormat.of().parseHex(kv[1]);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (t == null || given == null) return false;
        if (Math.abs(now.getEpochSecond() - t) > window.toSeconds()) return false;
        return MessageDigest.isEqual(hmac(secret, t, body), given);
    }

    private static byte[] hmac(byte[] secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17", e);
        }
    }
}
