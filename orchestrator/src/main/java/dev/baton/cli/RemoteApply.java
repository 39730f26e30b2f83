package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.rollout.Event;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code baton apply PLAN --server URL [--wait]}: submits the plan; with --wait, prints its events until it ends. */
final class RemoteApply {
    private static final long LIMIT = 256 * 1024;

    private final ServerClient client;
    private final PrintStream out;
    private final boolean json;

    /** {@code json}: one JSON document per line (the rollout, each event, then the end) instead of text. */
    RemoteApply(ServerClient client, PrintStream out, boolean json) {
        this.client = client;
        this.out = out;
        this.json = json;
    }

    int apply(Path planFile, boolean waitForEnd) {
        byte[] plan = read(planFile);
        String type = planFile.toString().endsWith(".json") ? "application/json" : "application/yaml";
        JsonNode rollout = client.post("/rollouts", plan, type).body();
        String id = rollout.path("id").asText();
        if (json) {
            out.println(OutputOption.line(java.util.Map.of("rollout", id, "server", client.address(),
                    "service", rollout.path("service").asText(), "version", rollout.path("version").asText())));
        } else {
            out.println("rollout " + id + " started on " + client.address() + ": " + rollout.path("service").asText() + " -> "
                    + rollout.path("version").asText());
        }
        out.flush();
        if (!waitForEnd) return BatonMain.OK;

        TrafficLines traffic = new TrafficLines();
        String status = new EventFollower(client).follow(id, 0, event -> {
            if (json) out.println(OutputOption.line(event));
            else for (Event line : traffic.lines(event.event())) out.println(ConsoleEvents.format(line));
            out.flush();
        });
        String summary = client.get("/rollouts/" + id).body().path("summary").asText("");
        boolean ok = status.equals("SUCCEEDED");
        if (json) out.println(OutputOption.line(java.util.Map.of("rollout", id, "status", status, "summary", summary)));
        else out.println((ok ? "rollout succeeded: " : "rollout " + status + ": ") + Printable.escape(summary));
        return ok ? BatonMain.OK : BatonMain.FAILED;
    }

    private static byte[] read(Path file) {
        try {
            if (Files.size(file) > LIMIT) throw new BatonMain.UserError(file + ": plan is larger than " + LIMIT / 1024 + " KiB");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BatonMain.UserError(file + ": no such file");
        } catch (IOException e) {
            throw new BatonMain.UserError(file + ": cannot read plan: " + e.getMessage());
        }
    }
}
