package dev.baton.fleet;

import dev.baton.api.BatonServer;
import dev.baton.api.ServerConfig;
import dev.baton.api.TokensFile;
import dev.baton.bench.HeyLoad;
import okhttp3.HttpUrl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code bin/demo}: a 3-host fleet behind HAProxy on v1 and the Baton server with its dashboard; rolls the
 * fleet to v2 with {@code baton apply --server ... --wait} while the event log prints, then keeps everything
 * up for a look around ({@code --once}: exit with the rollout's exit code, leaving nothing running).
 */
public final class DemoMain {
    /** A canary, judged by its traffic through HAProxy (the dashboard marks the verdicts) and promoted on a pass. */
    private static final String DEMO_GATE = """
            strategy: { canary: 1, batch: 1 }
            analysis: { interval: 2s, window: 6s, successRate: ">= 99.5%", minRequests: 100, promote: auto, onInconclusive: continue }
            """;
    private static final int LOAD_WORKERS = 10;
    private static final int LOAD_QPS_PER_WORKER = 20;
    private static final int LOAD_MAX_SECONDS = 600;

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean once = List.of(args).contains("--once");
        for (String arg : args) {
            if (!arg.equals("--once")) {
                System.err.println("demo: unknown option " + arg + " (usage: bin/demo [--once])");
                System.exit(2);
            }
        }
        System.out.println("starting a local fleet: Consul + HAProxy + 3 hosts running web 1.0.0, and the Baton server ...");
        int exit;
        try (LocalFleet fleet = LocalFleet.start("web", 3, "1.0.0", true);
             BatonServer server = startServer(fleet)) {
            String token = Files.readString(fleet.workDir().resolve("demo-token")).strip();
            System.out.println();
            System.out.println("dashboard: " + server.url() + "/   (sign in with the deployer token " + token + ")");
            System.out.println("HAProxy:   " + fleet.loadBalancerUrl() + "/   (try: curl " + fleet.loadBalancerUrl() + "/version)");
            System.out.println("Consul:    " + fleet.consulAddress() + "/ui/");
            for (LocalFleet.Host host : fleet.hosts()) {
                System.out.println("host:      " + host.serviceId() + "  app " + host.appUrl() + "/version  agent " + host.agentUrl());
            }
            Path plan = fleet.writePlan("2.0.0", DEMO_GATE);
            System.out.println("plan:      " + plan);
            System.out.println("load:      hey -c " + LOAD_WORKERS + " -q " + LOAD_QPS_PER_WORKER + " through HAProxy while the rollout runs");
            System.out.println();
            HeyLoad.Report load;
            try (HeyLoad hey = new HeyLoad(fleet.loadBalancerUrl() + "/", LOAD_WORKERS, LOAD_QPS_PER_WORKER, LOAD_MAX_SECONDS,
                    fleet.workDir().resolve("hey-demo.txt"))) {
                exit = apply(server, token, plan);
                load = hey.stop();
            }
            System.out.println();
            System.out.println("baton apply exited with " + exit);
            System.out.println("through HAProxy during the rollout: requests " + load.requests() + ", failed " + load.failed()
                    + (load.errors().isEmpty() ? "" : " (" + load.errors() + ")"));
            if (!once) {
                System.out.println("Everything stays up: watch the dashboard, roll again with");
                System.out.println("  BATON_TOKEN=" + token + " bin/baton apply " + fleet.writePlan("3.0.0", DEMO_GATE) + " --server " + server.url() + " --wait");
                System.out.println("or watch the analysis gate roll back a release that fails 5% of requests while /healthz stays 200:");
                System.out.println("  BATON_TOKEN=" + token + " bin/baton apply " + fleet.writePlan("3.0.1-fail5", DEMO_GATE) + " --server " + server.url() + " --wait");
                System.out.println("(with load: hey -z 60s -c 10 -q 20 " + fleet.loadBalancerUrl() + "/)");
                System.out.println("Ctrl-C stops everything.");
                Thread.currentThread().join();
            }
        }
        System.exit(exit);
    }

    private static BatonServer startServer(LocalFleet fleet) throws Exception {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Path tokens = fleet.workDir().resolve("tokens");
        Files.writeString(tokens, "deployer " + token + "\n");
        Files.writeString(fleet.workDir().resolve("demo-token"), token);
        String agentToken = fleet.agentToken();
        ServerConfig config = ServerConfig.of("127.0.0.1", 0, HttpUrl.get(fleet.consulAddress()), TokensFile.load(tokens).tokens(),
                name -> ServerConfig.AGENT_TOKEN_ENV.equals(name) ? agentToken : System.getenv(name));
        return BatonServer.start(config);
    }

    private static int apply(BatonServer server, String token, Path plan) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", Tools.batonJar().toString(),
                "apply", plan.toString(), "--server", server.url(), "--wait"));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("BATON_TOKEN", token);
        return builder.start().waitFor();
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
