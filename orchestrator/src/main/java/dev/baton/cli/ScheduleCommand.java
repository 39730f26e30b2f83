package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code baton schedule list|create|cancel}: scheduled rollouts on a Baton server. */
@Command(name = "schedule", description = "Scheduled rollouts on a Baton server: list, create (a plan with schedule:), cancel.",
        subcommands = {ScheduleCommand.List.class, ScheduleCommand.Create.class, ScheduleCommand.Cancel.class})
final class ScheduleCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: list, create PLAN or cancel ID");
    }

    @Command(name = "list", description = "Every schedule: status, next run, the service's deploy window now, last run.")
    static final class List implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ServerOption server;
        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            JsonNode schedules = server.client().get("/schedules").body().path("schedules");
            if (output.json()) {
                System.out.println(OutputOption.line(schedules));
                return BatonMain.OK;
            }
            if (schedules.isEmpty()) System.out.println("no schedules");
            for (JsonNode s : schedules) System.out.println(line(s));
            return BatonMain.OK;
        }
    }

    @Command(name = "create", description = "Schedule the rollout of a plan that has schedule: (at: or cron: with zone:).")
    static final class Create implements java.util.concurrent.Callable<Integer> {
        @Parameters(paramLabel = "PLAN", description = "the rollout plan (YAML) with a schedule: section")
        Path plan;
        @Mixin
        ServerOption server;
        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            byte[] text;
            try {
                text = Files.readString(plan, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BatonMain.UserError(plan + ": cannot read plan: " + e.getMessage());
            }
            JsonNode created = server.client().post("/schedules", text, "application/yaml").body();
            System.out.println(output.json() ? OutputOption.line(created) : line(created));
            return BatonMain.OK;
        }
    }

    @Command(name = "cancel", description = "Cancel a pending schedule (a rollout it already started is not touched).")
    static final class Cancel implements java.util.concurrent.Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "a schedule id like s-20261129-020000-1a2b")
        String id;
        @Mixin
        ServerOption server;

        @Override
        public Integer call() {
            if (!id.matches("s-[0-9]{8}-[0-9]{6}-[0-9a-f]{4}")) throw new BatonMain.UserError("\"" + id + "\" is not a schedule id (like s-20261129-020000-1a2b)");
            JsonNode cancelled = server.client().delete("/schedules/" + id).body();
            System.out.println(id + ": " + cancelled.path("status").asText());
            return BatonMain.OK;
        }
    }

    /** One schedule on one line: id, service and version, when, status, next run, window now, last result. */
    static String line(JsonNode s) {
        String when = s.path("kind").asText().equals("at")
                ? "at " + s.path("at").asText() + " (expires " + s.path("expires").asText() + ")"
                : "cron \"" + s.path("cron").asText() + "\" " + s.path("zone").asText();
        JsonNode window = s.path("window");
        String windowText = window.path("open").asBoolean() ? "window open" : "window closed (" + window.path("why").asText()
                + (window.path("until").isTextual() ? " until " + window.path("until").asText() : "") + ")";
        return Printable.escape(s.path("id").asText() + "  " + s.path("service").asText() + " " + s.path("version").asText()
                + "  " + when + "  " + s.path("status").asText()
                + (s.path("nextRun").isTextual() ? "  next " + s.path("nextRun").asText() : "")
                + "  " + windowText
                + (s.path("lastResult").isTextual() ? "  last: " + s.path("lastResult").asText() : ""));
    }
}
