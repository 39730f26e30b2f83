package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.plan.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "status", description = "List the rollouts on a Baton server, newest first, or show one with its hosts.")
final class StatusCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", arity = "0..1", description = "a rollout id like r-20261122-0001")
    String id;

    @Mixin
    ServerOption server;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        ServerClient client = server.client();
        if (output.json()) {
            System.out.println(OutputOption.line(client.get(id == null ? "/rollouts" : "/rollouts/" + id).body()));
            return BatonMain.OK;
        }
        if (id == null) {
            JsonNode rollouts = client.get("/rollouts").body().path("rollouts");
            if (rollouts.isEmpty()) {
                System.out.println("no rollouts yet");
                return BatonMain.OK;
            }
            System.out.println(String.format("%-18s %-14s %-14s %-18s %-24s %8s  %s", "ID", "SERVICE", "VERSION", "STATUS",
                    "STARTED", "TOOK", "HOSTS"));
            for (JsonNode r : rollouts) {
                JsonNode hosts = r.path("hosts");
                System.out.println(String.format("%-18s %-14s %-14s %-18s %-24s %8s  %d/%d done%s", r.path("id").asText(),
                        r.path("service").asText(), r.path("version").asText(), r.path("status").asText(),
                        r.path("startedAt").asText(), took(r), hosts.path("done").asInt(), hosts.path("total").asInt(),
                        hosts.path("failed").asInt() > 0 ? ", " + hosts.path("failed").asInt() + " failed" : ""));
            }
            return BatonMain.OK;
        }
        JsonNode r = client.get("/rollouts/" + id).body();
        System.out.println(r.path("id").asText() + "  " + r.path("service").asText() + " -> " + r.path("version").asText()
                + "  " + r.path("status").asText() + "  started " + r.path("startedAt").asText() + "  took " + took(r));
        for (JsonNode h : r.path("hosts")) {
            // host ids and addresses come from the Consul catalog, which anyone registering a service writes
            System.out.println(String.format("  %-14s %-16s %-12s %-12s %s", Printable.escape(h.path("id").asText()),
                    Printable.escape(h.path("address").asText("-")), h.path("state").asText(), h.path("step").asText("-"),
                    Printable.escape(h.path("version").asText("-"))));
        }
        List<String> actions = new ArrayList<>();
        r.path("actions").forEach(a -> actions.add(a.asText()));
        if (!actions.isEmpty()) System.out.println("  possible now: " + String.join(", ", actions));
        if (r.hasNonNull("summary")) System.out.println("  summary: " + Printable.escape(r.path("summary").asText()));
        return BatonMain.OK;
    }

    private static String took(JsonNode r) {
        return Durations.format(Duration.ofMillis(r.path("durationMs").asLong()));
    }
}
