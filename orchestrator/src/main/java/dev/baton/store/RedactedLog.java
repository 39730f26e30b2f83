package dev.baton.store;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Log lines through the {@link Redactor}: messages ({@code %rmsg}) and stack traces ({@code %rex}) lose credentials in
 * URLs, bearer tokens and, once {@link #use} was called, the process's known secret values.
 */
public final class RedactedLog {
    private static volatile Redactor redactor = Redactor.urlsOnly();

    private RedactedLog() {
    }

    /** From now on, log lines also lose these secrets (the server calls it at start). */
    public static void use(Redactor secrets) {
        redactor = secrets;
    }

    public static final class Message extends MessageConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return redactor.redact(super.convert(event));
        }
    }

    public static final class Throwable extends ThrowableProxyConverter {
        @Override
        protected String throwableProxyToString(IThrowableProxy proxy) {
            return redactor.redact(super.throwableProxyToString(proxy));
        }
    }
}
