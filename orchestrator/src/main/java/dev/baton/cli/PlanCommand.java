package dev.baton.cli;

import dev.baton.consul.ConsulClient;
import dev.baton.consul.ConsulRegistry;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Instance;
import dev.baton.rollout.StepFailure;
import dev.baton.rollout.Targets;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "plan", description = "Show what a plan would do — batches, steps, waits and bounds — without changing anything.")
final class PlanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PLAN", description = "the rollout plan (YAML)")
    Path planFile;

    @Option(names = "--consul", paramLabel = "URL", description = "Consul HTTP address (read only); default: the plan's, $CONSUL_HTTP_ADDR, http://127.0.0.1:8500")
    String consulFlag;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Plan plan;
        try {
            plan = new PlanLoader().load(planFile);
        } catch (PlanException e) {
            throw new BatonMain.UserError(e.getMessage());
        }
        HttpUrl consul = ConsulAddress.resolve(consulFlag != null ? consulFlag : plan.consulAddress());
        ConsulRegistry registry = new ConsulRegistry(new ConsulClient(new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(3)).build(), System.getenv("CONSUL_HTTP_TOKEN")), consul);
        List<Instance> instances;
        try {
            instances = Targets.resolve(registry, plan.targets());
        } catch (StepFailure e) {
            System.err.println("baton: cannot read the targets from Consul at " + consul + ": " + e.getMessage());
            return BatonMain.FAILED;
        }
        if (output.json()) {
            System.out.println(OutputOption.line(SchedulePrinter.document(plan, instances)));
            return BatonMain.OK;
        }
        new SchedulePrinter(System.out).print(plan, instances, "Consul at " + consul);
        return BatonMain.OK;
    }
}
