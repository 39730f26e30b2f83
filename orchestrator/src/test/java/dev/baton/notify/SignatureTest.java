package dev.baton.notify;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SignatureTest {
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "{\"event\":\"succeeded\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant SENT = Instant.parse("2026-11-29T05:00:00Z");

    @Test
    void theHeaderIsTheHmacOfTimestampDotBody() {
        // echo -n '1795928400.{"event":"succeeded"}' | openssl dgst -sha256 -hmac s3cret
        assertThat(Signature.header(SECRET, SENT, BODY))
                .isEqualTo("t=1795928400,v1=" + hmacByHand("1795928400." + new String(BODY, StandardCharsets.UTF_8)));
    }

    @Test
    void aReceiverAcceptsOnlyTheSameBodyAndSecretWithinTheReplayWindow() {
        String header = Signature.header(SECRET, SENT, BODY);
        Duration window = Signature.REPLAY_WINDOW;
        assertThat(Signature.verify(header, SECRET, BODY, SENT.plusSeconds(299), window)).isTrue();
        assertThat(Signature.verify(header, SECRET, BODY, SENT.plusSeconds(301), window)).as("replayed too late").isFalse();
        assertThat(Signature.verify(header, SECRET, "{\"event\":\"failed\"}".getBytes(StandardCharsets.UTF_8), SENT, window)).isFalse();
        assertThat(Signature.verify(header, "other".getBytes(StandardCharsets.UTF_8), BODY, SENT, window)).isFalse();
        assertThat(Signature.verify(header.replace("t=1795928400", "t=1795928460"), SECRET, BODY, SENT, window))
                .as("a fresher timestamp on an old signature").isFalse();
        assertThat(Signature.verify("v1=zz", SECRET, BODY, SENT, window)).isFalse();
        assertThat(Signature.verify(null, SECRET, BODY, SENT, window)).isFalse();
    }

    private static String hmacByHand(String text) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
