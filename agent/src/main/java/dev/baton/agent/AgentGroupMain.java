package dev.baton.agent;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Several agents in one JVM, for the scale benchmark ({@code bin/bench scale}): each line of the file holds one
 * agent's command line, its arguments separated by tabs, exactly as {@code baton-agent} takes them. Each agent is
 * the real one, with its own address, home, app process, HTTP server and restart worker; only the JVM is shared,
 * so that hundreds of hosts fit on one machine. Exits 2 if any agent cannot start.
 */
public final class AgentGroupMain {
    private AgentGroupMain() {
    }

    public static void main(String[] args) throws IOException {
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        if (args.length != 1) {
            err.println("usage: AgentGroupMain FILE (one agent per line, arguments separated by tabs)");
            System.exit(AgentMain.USAGE_ERROR);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        for (String line : lines) {
            int code = AgentMain.run(line.split("\t"), err);
            if (code != 0) {
                err.println("agent group: the agent of line `" + line.replace('\t', ' ') + "` did not start");
                System.exit(code);
            }
        }
        System.out.println("agent group: " + lines.size() + " agents serving");
    }
}
