package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.Json;
import dev.baton.store.LoggedEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "logs", description = "Print a rollout's events; with --follow, keep printing them live until it ends.")
final class LogsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "a rollout id like r-20261122-0001")
    String id;

    @Option(names = {"-f", "--follow"}, description = "follow the events until the rollout ends")
    boolean follow;

    @Mixin
    ServerOption server;

    @Override
    public Integer call() throws IOException {
        ServerClient client = server.client();
        if (follow) {
            String status = new EventFollower(client).follow(id, 0, e -> {
                System.out.println(ConsoleEvents.format(e.event()));
                System.out.flush();
            });
            System.out.println("rollout " + id + " ended " + status);
            return BatonMain.OK;
        }
        JsonNode rollout = client.get("/rollouts/" + id).body();
        for (JsonNode event : rollout.path("events")) {
            System.out.println(ConsoleEvents.format(Json.MAPPER.treeToValue(event, LoggedEvent.class).event()));
        }
        return BatonMain.OK;
    }
}
