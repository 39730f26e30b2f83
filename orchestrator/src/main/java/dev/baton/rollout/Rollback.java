package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Every host the rollout switched goes back to its previous release, newest first, one at a time. */
final class Rollback {
    private final Plan plan;
    private final Ports ports;
    private final Journal journal;
    private final Map<String, HostLifecycle> hosts;
    private final RolloutEvents events;
    private final HostFence fence;

    Rollback(Plan plan, Ports ports, Journal journal, Map<String, HostLifecycle> hosts, RolloutEvents events, HostFence fence) {
        this.plan = plan;
        this.ports = ports;
        this.journal = journal;
        this.hosts = hosts;
        this.events = events;
        this.fence = fence;
    }

    record Outcome(RolloutResult.Status status, String summary) {
    }

    Outcome run(String reason, List<SwitchedHost> switched) {
        Instant start = ports.clock().now();
        events.emit(Step.ROLLBACK, Event.Outcome.STARTED, null, reason);
        List<SwitchedHost> toRevert = new ArrayList<>(switched);
        Collections.reverse(toRevert);
        if (toRevert.isEmpty()) {
            events.emit(Step.ROLLBACK, Event.Outcome.OK, took(start), "no host had switched releases");
            return new Outcome(RolloutResult.Status.FAILED, reason + "; no host had switched releases, so nothing was rolled back");
        }
        int reverted = 0;
        List<String> stuck = new ArrayList<>();
        for (SwitchedHost forward : toRevert) {
            Instance instance = forward.saved().instance();
            HostLifecycle current = hosts.get(instance.id());
            HostState state = current == null ? HostState.DONE : current.state();
            if (state == HostState.ROLLED_BACK) continue;
            HostLifecycle back = new HostLifecycle(instance, forward.previousVersion(), state, journal);
            hosts.put(instance.id(), back);
            HostRollout host = new HostRollout(instance, plan, ports, back).fenced(fence);
            HostState ended = state == HostState.PARKED ? host.runFromParked(forward.saved()) : host.run(fence.acting());
            if (ended == HostState.ROLLED_BACK) reverted++;
            else stuck.add(instance.id() + " (" + host.failure() + ")");
        }
        boolean ok = stuck.isEmpty();
        String summary = "rolled back " + reverted + " host(s) to their previous release after: " + reason
                + (ok ? "" : "; could not roll back " + String.join(", ", stuck));
        events.emit(Step.ROLLBACK, ok ? Event.Outcome.OK : Event.Outcome.FAILED, took(start), summary);
        return new Outcome(ok ? RolloutResult.Status.ROLLED_BACK : RolloutResult.Status.FAILED, summary);
    }

    private Duration took(Instant start) {
        return Duration.between(start, ports.clock().now());
    }
}
