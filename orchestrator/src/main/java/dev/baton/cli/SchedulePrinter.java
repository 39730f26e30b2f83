package dev.baton.cli;

import dev.baton.plan.Durations;
import dev.baton.plan.Plan;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Schedule;
import dev.baton.rollout.Step;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                Durations.format(s.capacityWait()), s.onFailure().yaml(), s.maxFailures(), Durations.format(s.progressDeadline()));
        out.println();
        for (String hook : hooks("beforeDeploy", plan.hooks().beforeDeploy())) out.println(hook);
        for (Schedule.Batch batch : Schedule.of(s, instances).batches()) {
            out.println(batch.label().replace(": ", "  ") + "  [" + String.join(", ", batch.hosts().stream().map(Instance::address).toList()) + "]");
            Plan.Analysis analysis = plan.analysis();
            if (analysis != null) {
                out.printf("  then analysis: %s of traffic from %s, measured every %s: success rate >= %s%s%s, at least %d requests; "
                                + "fail: %s, inconclusive: %s%n", Durations.format(analysis.window()), analysis.source().yaml(),
                        Durations.format(analysis.interval()), new java.math.BigDecimal(Double.toString(analysis.successRate() * 100))
                                .stripTrailingZeros().toPlainString() + "%",
                        analysis.p99() == null ? "" : ", p99 <= " + Durations.format(analysis.p99()),
                        analysis.compareTo() == Plan.CompareTo.BASELINE ? " (or no worse than the previous release)" : "",
                        analysis.minRequests(), analysis.onFailure().yaml(), analysis.onInconclusive().yaml());
            }
            if (batch.canary() && analysis != null && analysis.promote() == Plan.Promote.AUTO) {
                out.println("  then promote on a passing analysis");
            } else if (batch.canary()) {
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

    /** What {@code baton plan -o json} prints: the same schedule and steps, as data. */
    static Map<String, Object> document(Plan plan, List<Instance> instances) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("service", plan.service());
        doc.put("version", plan.version());
        doc.put("instances", instances.stream().map(i -> Map.of("id", i.id(), "address", i.address())).toList());
        doc.put("batches", Schedule.of(plan.strategy(), instances).batches().stream().map(b -> Map.of("label", b.label(),
                "canary", b.canary(), "hosts", b.hosts().stream().map(Instance::id).toList())).toList());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Step step : Step.HOST_STEPS) {
            for (String what : describe(step, plan)) steps.add(Map.of("step", step.name(), "what", what));
        }
        doc.put("hostSteps", steps);
        return doc;
    }

    /** One line per step of {@link Step#HOST_STEPS}, in the engine's order, with what this plan makes of it. */
    static List<String> hostSteps(Plan plan) {
        List<String> lines = new ArrayList<>();
        for (Step step : Step.HOST_STEPS) {
            for (String what : describe(step, plan)) lines.add(String.format("%-11s %s", step, what));
        }
        lines.add(String.format("%-11s %s", "on failure", "put back if healthy (" + Step.RESTORE + "), else maintenance with the reason ("
                + Step.PARK + "), retried for up to " + Durations.format(plan.drain().restoreTimeout())));
        return lines;
    }

    private static List<String> describe(Step step, Plan plan) {
        Plan.Drain drain = plan.drain();
        Plan.Propagation p = drain.propagation();
        Plan.Health h = plan.health();
        boolean maintenance = drain.mode() == Plan.DrainMode.MAINTENANCE;
        return switch (step) {
            case PREPARE -> List.of("fetch " + plan.version() + " and verify its sha256 on the host while it serves, "
                    + (plan.strategy().prepare() == Plan.Prepare.AHEAD
                    ? "batch by batch, each while the one before it rolls; a host leaves once its own fetch is done"
                    : "every host before any leaves rotation"));
            case BEFORE_HOST -> hostHooks(plan.hooks().beforeHost());
            case LEAVE -> List.of(!drain.leavesRotation() ? "skipped: stays in rotation (hand-off)"
                    : maintenance ? "maintenance mode on in Consul (registration kept)"
                    : "save the registration, deregister from Consul (check definitions Consul cannot give back are lost)");
            case PROPAGATE -> !drain.leavesRotation() ? List.of("skipped: stays in rotation") : List.of(p.sleep() != null
                    ? "sleep a fixed " + Durations.format(p.sleep()) + " (not verified)"
                    : p.verify().isEmpty() ? "nothing (verify: [])"
                    : "until " + String.join(", ", p.verify().stream().map(Plan.PropagationCheck::yaml).toList()) + " agree it is out"
                    + (p.verify().contains(Plan.PropagationCheck.TRAFFIC) ? " (no request for " + Durations.format(p.quietPeriod()) + ")" : "")
                    + "; at least " + Durations.format(p.minWait()) + ", at most " + Durations.format(p.timeout()));
            case RESTART -> List.of(String.format("%s, switch to %s, start, ready (at most %s); the whole restart at most %s",
                    plan.restart().strategy() == Plan.RestartStrategy.HANDOFF
                            ? "hand the socket to the new process (SIGUSR2), old one drains (at most " + Durations.format(drain.timeout()) + ")"
                            : "drain (at most " + Durations.format(drain.timeout()) + ")",
                    plan.version(), Durations.format(h.deadline()), Durations.format(plan.restart().timeout())));
            case CHECK -> List.of(String.format("GET %s -> %d%s%s, every %s, within %s", h.path(), h.expectStatus(),
                    h.bodyContains() == null ? "" : " containing \"" + h.bodyContains() + "\"",
                    h.minHealthyTime().equals(Duration.ZERO) ? "" : ", healthy for " + Durations.format(h.minHealthyTime()),
                    Durations.format(h.interval()), Durations.format(h.deadline())));
            case JOIN -> List.of((drain.leavesRotation() ? (maintenance ? "maintenance off" : "register the saved definition again")
                    : "nothing to undo") + (h.consulChecks()
                    ? ", until Consul reports it passing (at most " + Durations.format(h.deadline()) + ")" : ""));
            case AFTER_HOST -> hostHooks(plan.hooks().afterHost());
            default -> throw new IllegalArgumentException(step + " is not a host step");
        };
    }

    private static List<String> hostHooks(List<Plan.Hook> hooks) {
        return hooks.stream().map(hook -> "`" + hook.command() + "` on the host (at most " + Durations.format(hook.timeout()) + ")").toList();
    }
}
