package dev.baton.cli;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.RolloutEngine;
import dev.baton.wiring.Adapters;
import dev.baton.rollout.RolloutResult;
import okhttp3.HttpUrl;
import picocli.CommandLine.Command;
import dev.baton.rollout.EventSink;
import dev.baton.store.LoggedEvent;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "apply", description = "Roll out a plan — canaries, then batches with at most maxUnavailable hosts out of "
        + "rotation at once — and exit 0 when every host is on the new version (1 when it failed, was aborted or rolled back, "
        + "2 for a bad plan or command line). Locally, or on a Baton server with --server.")
final class ApplyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PLAN", description = "the rollout plan (YAML)")
    Path planFile;

    @Option(names = "--wait", description = "wait for the rollout to end (local runs always do)")
    boolean waitForEnd;

    @Option(names = "--consul", paramLabel = "URL",
            description = "Consul HTTP address; default: the plan's consul, then $CONSUL_HTTP_ADDR, then http://127.0.0.1:8500")
    String consulFlag;

    @Option(names = "--server", paramLabel = "URL",
            description = "submit the plan to this Baton server instead of rolling out from here (default: $BATON_SERVER "
                    + "unless --consul is given); the API token is read from $BATON_TOKEN")
    String serverFlag;

    @picocli.CommandLine.Mixin
    OutputOption output;

    @Override
    public Integer call() {
        String server = serverFlag != null ? serverFlag : consulFlag == null ? System.getenv(ServerClient.SERVER_ENV) : null;
        if (server != null && !server.isBlank()) {
            return new RemoteApply(ServerClient.connect(server), System.out, output.json()).apply(planFile, waitForEnd);
        }
        Plan plan;
        try {
            plan = new PlanLoader().load(planFile);
        } catch (PlanException e) {
            throw new BatonMain.UserError(e.getMessage());
        }
        HttpUrl consul = consulAddress(plan);
        String token = System.getenv(plan.agent().tokenEnv());
        if (token == null || token.isBlank()) {
            throw new BatonMain.UserError("environment variable " + plan.agent().tokenEnv()
                    + " is not set: it holds the token of the Baton agents (plan field agent.tokenEnv)");
        }

        java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();
        EventSink events = output.json()
                ? e -> System.out.println(OutputOption.line(LoggedEvent.of(seq.incrementAndGet(), e)))
                : new ConsoleEvents(System.out);
        RolloutEngine engine;
        try {
            engine = new RolloutEngine(Adapters.forPlan(plan, consul, System.getenv("CONSUL_HTTP_TOKEN"), token, events));
        } catch (IllegalArgumentException e) {
            throw new BatonMain.UserError(e.getMessage());
        }

        Thread main = Thread.currentThread();
        Thread onSignal = new Thread(() -> {
            main.interrupt();
            try {
                main.join(Duration.ofSeconds(90).toMillis());
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "baton-interrupt");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            RolloutResult result = engine.run(plan);
            if (output.json()) {
                System.out.println(OutputOption.line(java.util.Map.of("status", result.status(), "summary", result.summary(),
                        "hosts", result.hosts())));
            } else {
                System.out.println((result.succeeded() ? "rollout succeeded: " : "rollout " + result.status() + ": ") + result.summary());
            }
            return result.succeeded() ? BatonMain.OK : BatonMain.FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running: it waits for us
            }
        }
    }

    private HttpUrl consulAddress(Plan plan) {
        if (consulFlag != null) return ConsulAddress.parse(consulFlag);
        if (plan.consulAddress() != null) return ConsulAddress.parse(plan.consulAddress());
        return ConsulAddress.resolve(null);
    }
}
