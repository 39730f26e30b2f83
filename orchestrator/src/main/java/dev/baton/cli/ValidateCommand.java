package dev.baton.cli;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code baton validate PLAN...}: checks plans offline, every one of them, one line each; exit 0 when all are valid. */
@Command(name = "validate", description = "Check rollout plans offline (no Consul needed): one line per plan, exit 0 when every plan is valid, 2 otherwise.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PLAN", arity = "1..*", description = "rollout plans (YAML or JSON)")
    List<Path> plans;

    @Override
    public Integer call() {
        int bad = 0;
        for (Path file : plans) {
            try {
                Plan plan = new PlanLoader().load(file);
                System.out.println(file + ": ok (" + plan.service() + " -> " + plan.version() + ", drain " + plan.drain().mode().yaml()
                        + ", on failure " + plan.strategy().onFailure().yaml() + ")");
            } catch (PlanException e) {
                System.err.println("baton: " + e.getMessage());
                bad++;
            }
        }
        return bad == 0 ? BatonMain.OK : BatonMain.USAGE;
    }
}
