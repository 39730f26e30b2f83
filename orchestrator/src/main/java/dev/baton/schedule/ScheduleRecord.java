package dev.baton.schedule;

import java.time.Instant;

/**
 * A scheduled rollout as kept in Consul KV under {@code baton/schedules/<id>}: the plan text it submits, when
 * ({@code at} until {@code expires}, or {@code cron} in {@code zone}), and what happened last.
 */
public record ScheduleRecord(String id, String service, String version, String plan, Instant at, Instant expires, String cron,
                             String zone, Status status, String createdBy, Instant created, Instant lastRun,
                             String lastRollout, String lastResult) {
    /** PENDING: waits for its time (a cron schedule stays PENDING); FIRED: an {@code at} schedule ran (see lastResult). Only PENDING is not final. */
    public enum Status { PENDING, FIRED, EXPIRED, CANCELLED }

    public boolean once() {
        return at != null;
    }

    ScheduleRecord ran(Instant when, String rollout, String result, Status next) {
        return new ScheduleRecord(id, service, version, plan, at, expires, cron, zone, next, createdBy, created, when, rollout, result);
    }

    ScheduleRecord ended(Status next, String result) {
        return new ScheduleRecord(id, service, version, plan, at, expires, cron, zone, next, createdBy, created, lastRun, lastRollout, result);
    }
}
