package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code baton pause|resume|abort|rollback|promote|override-window ID}: one operator command to a running rollout. */
@Command(description = "Send an operator command to a running rollout on a Baton server.")
final class ControlCommand implements Callable<Integer> {
    static final String[] ACTIONS = {"pause", "resume", "abort", "rollback", "promote", "override-window"};

    private final String action;

    @Parameters(paramLabel = "ID", description = "a rollout id like r-20261122-0001")
    String id;

    @Mixin
    ServerOption server;

    ControlCommand(String action) {
        this.action = action;
    }

    @Override
    public Integer call() {
        JsonNode rollout = server.client().post("/rollouts/" + id + "/" + action, new byte[0], null).body();
        System.out.println(id + ": " + action + " sent (status now " + rollout.path("status").asText() + ")");
        return BatonMain.OK;
    }

    static String describe(String action) {
        return switch (action) {
            case "pause" -> "Pause a rollout at the next host boundary (every host in rotation or parked).";
            case "resume" -> "Resume a paused rollout.";
            case "abort" -> "Stop a rollout at the next boundary; hosts already done keep the new version.";
            case "rollback" -> "Stop a rollout and put the hosts it switched back on their previous release.";
            case "override-window" -> "Let a rollout go on outside its deploy windows until it ends (admin; audited).";
            default -> "Promote the canaries: roll the rest of the fleet.";
        };
    }
}
