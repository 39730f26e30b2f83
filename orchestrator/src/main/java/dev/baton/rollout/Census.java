package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.util.List;
import java.util.Set;

/**
 * What a rollout reads before it changes anything, read at once (the three answers are independent): the targets,
 * the instances Consul reports passing ({@code passing} null and {@code passingUnknown} saying why when it could not
 * tell: a report, not a reason to stop), and those a previous rollout of the service saw.
 */
record Census(List<Instance> targets, Set<String> passing, String passingUnknown, Set<String> known) {

    private enum Read { PASSING, KNOWN, TARGETS }

    /** Throws the targets' failure: a rollout that cannot name its targets does not start. */
    static Census take(Registry registry, Journal journal, Plan.Targets plan) throws StepFailure, InterruptedException {
        Answers answers = new Answers();
        ConcurrentChecks.run(List.of(Read.values()), read -> {
            switch (read) {
                case TARGETS -> answers.targets = Targets.resolve(registry, plan);
                case KNOWN -> answers.known = journal.knownInstances(plan.consulService());
                case PASSING -> {
                    try {
                        answers.passing = registry.passing(plan.consulService());
                    } catch (StepFailure e) {
                        answers.passingUnknown = e.getMessage();
                    }
                }
            }
        });
        return new Census(answers.targets, answers.passing, answers.passingUnknown, answers.known);
    }

    /** Written by the reads' threads, read once they all ended (ConcurrentChecks waits for them). */
    private static final class Answers {
        volatile List<Instance> targets;
        volatile Set<String> passing;
        volatile String passingUnknown;
        volatile Set<String> known;
    }
}
