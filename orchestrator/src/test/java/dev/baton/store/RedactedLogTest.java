package dev.baton.store;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RedactedLogTest {
    @AfterEach
    void forget() {
        RedactedLog.use(Redactor.urlsOnly());
    }

    @Test
    void logMessagesAndStackTracesLoseSecrets() {
        RedactedLog.use(new Redactor(List.of("agent-secret-123")));
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("t", context.getLogger("t"), Level.WARN, "token {} fetching {}",
                new IllegalStateException("GET https://bob:hunter2@artifacts.local/w.tgz with Bearer agent-secret-123"),
                new Object[]{"agent-secret-123", "https://s3.local/w.tgz?X-Amz-Signature=abc123"});
        assertThat(new RedactedLog.Message().convert(event))
                .isEqualTo("token [redacted] fetching https://s3.local/w.tgz?X-Amz-Signature=[redacted]");
        RedactedLog.Throwable trace = new RedactedLog.Throwable();
        trace.setContext(context);
        trace.start();
        assertThat(trace.convert(event)).contains("GET https://[redacted]@artifacts.local/w.tgz with Bearer [redacted]")
                .doesNotContain("hunter2").doesNotContain("agent-secret-123");
    }

    @Test
    void theLogConfigurationUsesTheRedactingConverters() throws Exception {
        try (InputStream in = RedactedLogTest.class.getResourceAsStream("/logback.xml")) {
            String config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(config).contains("%rmsg").contains("%rex").doesNotContain("%msg").doesNotContain("%m%");
        }
    }
}
