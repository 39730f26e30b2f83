package dev.baton.cli;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Schedule;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** Prints what a plan will do — batches, what each step waits for and its bounds — in the engine's vocabulary. */
final class SchedulePrinter {
    private final PrintStream out;

    SchedulePrinter(PrintStream out) {
        this.out = out;
    }

    void print(Plan plan, List<Instance> instances, String source) {
        Plan.Strategy s = plan.strategy();
        int fleet = instances.size();
        int chunk = s.maxUnavailable().of(fleet, true);
        int minHealthy = s.minHealthy() != null ? s.minHealthy().of(fleet, false) : Math.max(0, fleet - chunk);
        out.printf("%s -> %s: %d instances from %s%n", plan.service(), plan.version(), fleet, source);
        out.printf("artifact %s (sha256 %s...)%n", plan.artifact().url(), plan.artifact().sha256().substring(0, 12));
        out.printf("strategy: %sbatches of %s, at most %d out at once, at least %d passing in Consul (waits up to %s), "
                        + "on failure: %s after more than %s failed, progress deadline %s%n",
                s.canary() > 0 ? "canary " + s.canary() + ", then " : "", s.batch(), chunk, minHealthy,
                Durations.format(s.capacityWait()), s.onFailure(), s.maxFailures(), Durations.format(s.progressDeadline()));
        out.println();
        for (String hook : hooks("beforeDeploy", plan.hooks().beforeDeploy())) out.println(hook);
        for (Schedule.Batch batch : Schedule.of(s, instances).batches()) {
            out.println(batch.label().replace(": ", "  ") + "  [" + String.join(", ", batch.hosts().stream().map(Instance::address).toList()) + "]");
            if (batch.canary()) {
                out.println("  then wait for `baton promote` (at most " + Durations.format(s.maxPause()) + ")"
                        + (s.autoPromoteAfter() == null ? "" : ", or promote after " + Durations.format(s.autoPromoteAfter()) + " healthy"));
            }
        }
        for (String hook : hooks("afterDeploy", plan.hooks().afterDeploy())) out.println(hook);
        out.println();
        out.println("each host:");
        for (String line : hostSteps(plan)) out.println("  " + line);
        out.println();
        out.println("nothing was changed (baton apply runs it)");
    }

    private static List<String> hooks(String name, List<String> hooks) {
        return hooks.stream().map(h -> "HOOK " + name + ": `" + h + "` (defined in the orchestrator's hooks file)").toList();
    }

    static List<String> hostSteps(Plan plan) {
        Plan.Drain drain = plan.drain();
        Plan.Propagation p = drain.propagation();
        Plan.Health h = plan.health();
        java.util.ArrayList<String> lines = new java.util.ArrayList<>();
        plan.hooks().beforeHost().forEach(hook -> lines.add(String.format("%-11s `%s` on the host (at most %s)", "BEFORE_HOST",
                hook.command(), Durations.format(hook.timeout()))));
        lines.add(String.format("%-11s fetch %s and verify its sha256 on the host while it serves", "PREPARE", plan.version()));
        if (drain.leavesRotation()) {
            lines.add(String.format("%-11s %s", "LEAVE", drain.mode().equals("maintenance")
                    ? "maintenance mode on in Consul (registration kept)" : "save the registration, deregister from Consul"));
            lines.add(String.format("%-11s %s", "PROPAGATE", p.sleep() != null
                    ? "sleep a fixed " + Durations.format(p.sleep()) + " (not verified)"
                    : p.verify().isEmpty() ? "nothing (verify: [])"
                    : "until " + String.join(", ", p.verify()) + " agree it is out" + (p.verify().contains("traffic")
                    ? " (no request for " + Durations.format(p.quietPeriod()) + ")" : "") + "; at least "
                    + Durations.format(p.minWait()) + ", at most " + Durations.format(p.timeout())));
        } else {
            lines.add(String.format("%-11s %s", "LEAVE", "skipped: stays in rotation (hand-off)"));
        }
        lines.add(String.format("%-11s %s, switch to %s, start, ready (at most %s); the whole restart at most %s", "RESTART",
                plan.restart().strategy().equals("handoff") ? "hand the socket to the new process (SIGUSR2), old one drains (at most "
                        + Durations.format(drain.timeout()) + ")" : "drain (at most " + Durations.format(drain.timeout()) + ")",
                plan.version(), Durations.format(h.deadline()), Durations.format(plan.restart().timeout())));
        lines.add(String.format("%-11s GET %s -> %d%s%s, every %s, within %s", "CHECK", h.path(), h.expectStatus(),
                h.bodyContains() == null ? "" : " containing \"" + h.bodyContains() + "\"",
                h.minHealthyTime().equals(Duration.ZERO) ? "" : ", healthy for " + Durations.format(h.minHealthyTime()),
                Durations.format(h.interval()), Durations.format(h.deadline())));
        lines.add(String.format("%-11s %s%s", "JOIN", drain.leavesRotation() ? (drain.mode().equals("maintenance")
                        ? "maintenance off" : "register the saved definition again") : "nothing to undo",
                h.consulChecks() ? ", until Consul reports it passing (at most " + Durations.format(h.deadline()) + ")" : ""));
        plan.hooks().afterHost().forEach(hook -> lines.add(String.format("%-11s `%s` on the host (at most %s)", "AFTER_HOST",
                hook.command(), Durations.format(hook.timeout()))));
        lines.add(String.format("%-11s %s", "on failure", "put back if healthy (RESTORE), else maintenance with the reason (PARK)"));
        return lines;
    }
}
