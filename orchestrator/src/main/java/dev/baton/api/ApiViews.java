package dev.baton.api;

import dev.baton.server.RolloutDetails;
import dev.baton.store.HostPhase;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The JSON bodies of the API, as records in the order of docs/server-api.md. */
final class ApiViews {
    private ApiViews() {
    }

    public record HostCounts(int total, int done, int failed) {
    }

    public record Summary(String id, String service, String version, RolloutStatus status, Instant startedAt,
                          Instant endedAt, long durationMs, HostCounts hosts) {
    }

    public record Rollout(String id, String service, String version, RolloutStatus status, Instant startedAt,
                          Instant endedAt, long durationMs, String summary, List<RolloutRecord.Host> hosts,
                          List<LoggedEvent> events, List<String> actions) {
    }

    public record Rollouts(List<Summary> rollouts) {
    }

    public record Me(String role) {
    }

    public record StatusChange(RolloutStatus status) {
    }

    static Summary summary(RolloutRecord r) {
        int done = 0;
        int failed = 0;
        for (RolloutRecord.Host host : r.hosts()) {
            if (host.state() == HostPhase.DONE) done++;
            if (host.state() == HostPhase.PARKED || host.state() == HostPhase.RESTORED) failed++;
        }
        return new Summary(r.id(), r.service(), r.version(), r.status(), r.startedAt(), r.endedAt(), durationMs(r),
                new HostCounts(r.hosts().size(), done, failed));
    }

    static Rollout rollout(RolloutDetails details) {
        RolloutRecord r = details.rollout();
        return new Rollout(r.id(), r.service(), r.version(), r.status(), r.startedAt(), r.endedAt(), durationMs(r),
                r.summary(), r.hosts(), details.events(), details.actions());
    }

    private static long durationMs(RolloutRecord r) {
        Instant end = r.endedAt() != null ? r.endedAt() : Instant.now();
        return Math.max(0, Duration.between(r.startedAt(), end).toMillis());
    }
}
