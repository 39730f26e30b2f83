package dev.baton.fleet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/demo}: starts a 3-host fleet on v1, rolls it to v2 with {@code baton apply} while the event
 * log prints, then keeps the fleet up for a look around ({@code --once}: exit with the rollout's exit code).
 */
public final class DemoMain {
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
        System.out.println("starting a local fleet: Consul + HAProxy + 3 hosts running web 1.0.0 ...");
        int exit;
        try (LocalFleet fleet = LocalFleet.start("web", 3, "1.0.0", true)) {
            System.out.println("Consul:  " + fleet.consulAddress() + "/ui/");
            System.out.println("HAProxy: " + fleet.loadBalancerUrl() + "/   (try: curl " + fleet.loadBalancerUrl() + "/version)");
            for (LocalFleet.Host host : fleet.hosts()) {
                System.out.println("host:    " + host.serviceId() + "  app " + host.appUrl() + "/version  agent " + host.agentUrl());
            }
            Path plan = fleet.writePlan("2.0.0", null);
            System.out.println("plan:    " + plan);
            System.out.println();
            exit = apply(fleet, plan);
            System.out.println();
            System.out.println("baton apply exited with " + exit);
            if (!once) {
                System.out.println("The fleet stays up: try curl " + fleet.hosts().get(0).appUrl() + "/version  (Ctrl-C stops everything)");
                Thread.currentThread().join();
            }
        }
        System.exit(exit);
    }

    private static int apply(LocalFleet fleet, Path plan) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", Tools.batonJar().toString(),
                "apply", plan.toString(), "--wait"));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("BATON_AGENT_TOKEN", fleet.agentToken());
        return builder.start().waitFor();
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
