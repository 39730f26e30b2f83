package dev.baton.schedule;

import java.time.Instant;

/** A schedule as the API, the CLI and the dashboard show it: its record, the next run, and its deploy windows now. */
public record ScheduleView(String id, String service, String version, String kind, Instant at, Instant expires, String cron,
                           String zone, ScheduleRecord.Status status, Instant nextRun, Window window, String createdBy,
                           Instant created, Instant lastRun, String lastRollout, String lastResult) {
    /** The service's deploy windows now: open or not, why, and until when (null: not within a year). */
    public record Window(boolean open, String why, Instant until) {
    }

    static ScheduleView of(ScheduleRecord r, Instant nextRun, Window window) {
        return new ScheduleView(r.id(), r.service(), r.version(), r.once() ? "at" : "cron", r.at(), r.expires(), r.cron(), r.zone(),
                r.status(), nextRun, window, r.createdBy(), r.created(), r.lastRun(), r.lastRollout(), r.lastResult());
    }
}
