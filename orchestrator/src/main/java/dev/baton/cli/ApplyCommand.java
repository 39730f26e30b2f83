package dev.baton.cli;

import dev.baton.hooks.CommandHookRunner;
import dev.baton.hooks.DeployHooks;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.RolloutEngine;
import dev.baton.server.RedactingEvents;
import dev.baton.store.Redactor;
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

    @Option(names = "--hooks-file", paramLabel = "FILE",
            description = "the deploy hooks the plan may name (YAML: name: { command: [/abs/program, args...], timeout: 30s })")
    Path hooksFile;

    @Option(names = "--agent-token-file", paramLabel = "FILE",
            description = "the Baton agents' bearer token (one line, mode 600); default: $BATON_AGENT_TOKEN")
    Path agentTokenFile;

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
        if (plan.schedule() != null) {
            throw new BatonMain.UserError(planFile + ": schedule: this plan starts later: submit it to a server with baton schedule "
                    + "create, or remove schedule: to apply it now");
        }
        DeployHooks hooks = LocalHooks.load(hooksFile);
        hooks.unknownIn(plan, "in --hooks-file", "no --hooks-file given").ifPresent(why -> {
            throw new BatonMain.UserError(planFile + ": " + why);
        });
        HttpUrl consul = consulAddress(plan);
        String token = AgentToken.read(agentTokenFile);
        if (token == null && plan.restart().via() != Plan.RestartVia.SSH) {
            throw new BatonMain.UserError("no agent token: set " + AgentToken.ENV + " or give --agent-token-file "
                    + "(the token of the Baton agents)");
        }
        String consulToken = System.getenv("CONSUL_HTTP_TOKEN");
        Redactor redactor = new Redactor(java.util.Arrays.asList(token, consulToken));
        java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();
        EventSink printed = output.json()
                ? e -> System.out.println(OutputOption.line(LoggedEvent.of(seq.incrementAndGet(), e)))
                : new ConsoleEvents(System.out);
        RolloutEngine engine;
        try {
            engine = new RolloutEngine(Adapters.forPlan(plan, consul, consulToken, token,
                    new CommandHookRunner(hooks, redactor), new RedactingEvents(printed, redactor)));
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
