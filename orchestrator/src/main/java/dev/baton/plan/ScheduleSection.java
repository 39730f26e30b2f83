package dev.baton.plan;

import org.quartz.CronExpression;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * The plan's {@code schedule:} section: {@code at} (an ISO date-time with an offset, or a local one read in
 * {@code zone}) with {@code expires} (how long after {@code at} it may still start, default 1h), or {@code cron}
 * (Quartz: seconds minutes hours day-of-month month day-of-week) in the IANA {@code zone} (default UTC).
 */
final class ScheduleSection {
    private static final Pattern ANY_LINE = Pattern.compile("[^\\n]{1,200}");

    private ScheduleSection() {
    }

    static Plan.Scheduled read(Section schedule) {
        ZoneId zone = zone(schedule);
        Plan.Scheduled out;
        if (schedule.has("at") == schedule.has("cron")) {
            throw new PlanException(schedule.node().where() + ": schedule: needs exactly one of at (a time) or cron (a Quartz "
                    + "cron expression like \"0 0 2 * * ?\")");
        }
        if (schedule.has("at")) {
            Instant at = at(schedule, zone);
            Duration expires = schedule.duration("expires", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(7));
            out = new Plan.Scheduled(at, at.plus(expires), null, zone);
        } else {
            String cron = schedule.required("cron", ANY_LINE, "a Quartz cron expression like \"0 0 2 * * ?\"");
            try {
                CronExpression.validateExpression(cron);
            } catch (java.text.ParseException e) {
                throw PlanException.at(schedule.field("cron"), "\"" + cron + "\" is not a Quartz cron expression (" + e.getMessage()
                        + "; write seconds minutes hours day-of-month month day-of-week, e.g. \"0 0 2 * * ?\")");
            }
            if (schedule.has("expires")) {
                throw PlanException.at(schedule.field("expires"), "only a schedule with at: expires (a cron schedule runs again)");
            }
            out = new Plan.Scheduled(null, null, cron, zone);
        }
        schedule.done();
        return out;
    }

    private static ZoneId zone(Section schedule) {
        String name = schedule.optional("zone", "UTC", ANY_LINE, "an IANA time zone like Europe/Berlin");
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw PlanException.at(schedule.field("zone"), "\"" + name + "\" is not an IANA time zone (write e.g. Europe/Berlin or UTC)");
        }
    }

    private static Instant at(Section schedule, ZoneId zone) {
        String text = schedule.required("at", ANY_LINE, "a time like 2026-12-01T02:00:00+01:00");
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(text).atZone(zone).toInstant();
            } catch (DateTimeParseException e) {
                throw PlanException.at(schedule.field("at"), "\"" + text + "\" is not a time (write e.g. 2026-12-01T02:00:00+01:00, "
                        + "or 2026-12-01T02:00:00 with zone:)");
            }
        }
    }
}
