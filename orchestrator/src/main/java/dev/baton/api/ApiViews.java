package dev.baton.api;

import dev.baton.server.RolloutDetails;
import dev.baton.rollout.HostState;
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

    /** The engine's vocabulary, from the one declaration of each: the per-host steps in order, and the host states. */
    public record Vocabulary(List<Term> hostSteps, List<Term> recoverySteps, List<Term> hostStates) {
    }

    public record Term(String name, String meaning, String during) {
    }

    static Vocabulary vocabulary() {
        List<Term> recovery = java.util.Arrays.stream(dev.baton.rollout.Step.values())
                .filter(s -> s.scope() == dev.baton.rollout.Step.Scope.RECOVERY).map(ApiViews::term).toList();
        return new Vocabulary(dev.baton.rollout.Step.HOST_STEPS.stream().map(ApiViews::term).toList(), recovery,
                java.util.Arrays.stream(HostState.values()).map(s -> new Term(s.name(), s.meaning(), null)).toList());
    }

    private static Term term(dev.baton.rollout.Step step) {
        return new Term(step.name(), step.meaning(), step.during() == null ? null : step.during().name());
    }

    public record Me(String role) {
    }

    public record StatusChange(RolloutStatus status) {
    }

    static Summary summary(RolloutRecord r) {
        int done = 0;
        int failed = 0;
        for (RolloutRecord.Host host : r.hosts()) {
            if (host.state() == HostState.DONE) done++;
            if (host.state() == HostState.PARKED || host.state() == HostState.RESTORED) failed++;
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
