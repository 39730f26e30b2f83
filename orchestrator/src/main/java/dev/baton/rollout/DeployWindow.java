package dev.baton.rollout;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;

/**
 * One deploy window: it opens at each time its Quartz cron expression names, in its IANA zone, and stays open for
 * {@code duration}. An ALLOW window lets batches start; a DENY window forbids them and wins over any allow window.
 */
public record DeployWindow(Kind kind, String name, String cron, Duration duration, ZoneId zone) {
    public enum Kind { ALLOW, DENY }

    public DeployWindow {
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("duration must be positive");
        expression(cron, zone);
    }

    /** The window's Quartz cron expression, or {@link IllegalArgumentException} with the parser's reason. */
    static CronExpression expression(String cron, ZoneId zone) {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(TimeZone.getTimeZone(zone));
            return expression;
        } catch (ParseException e) {
            throw new IllegalArgumentException("\"" + cron + "\" is not a Quartz cron expression (" + e.getMessage()
                    + "; write e.g. \"0 0 2 * * ?\": seconds minutes hours day-of-month month day-of-week)");
        }
    }

    /** When the occurrence that contains {@code at} started, or null when the window is closed at that instant. */
    Instant openedBefore(Instant at) {
        // the earliest start after at - duration: the window covers at when that start is not after it
        Date start = expression(cron, zone).getNextValidTimeAfter(Date.from(at.minus(duration)));
        return start != null && !start.toInstant().isAfter(at) ? start.toInstant() : null;
    }

    /** The end of the occurrence containing {@code at}; null when closed then. */
    Instant closesAfter(Instant at) {
        Instant opened = openedBefore(at);
        return opened == null ? null : opened.plus(duration);
    }

    /** The next time the window opens strictly after {@code after}; null if never. */
    Instant nextOpening(Instant after) {
        Date next = expression(cron, zone).getNextValidTimeAfter(Date.from(after));
        return next == null ? null : next.toInstant();
    }

    public String describe() {
        return kind.name().toLowerCase() + " window " + name;
    }
}
