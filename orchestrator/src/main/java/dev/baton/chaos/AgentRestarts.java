package dev.baton.chaos;

import dev.baton.fleet.LocalFleet;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restart operations as the agents saw them: each agent logs {@code op-N: <strategy> to version V} when it starts
 * one. Marks where each agent's log stands, then reads what was added since.
 */
public final class AgentRestarts {
    private static final Pattern RESTART = Pattern.compile("^(\\S+) \\S+\\s+RestartRunner - (\\S+): (\\S+) to version (\\S+)");

    /** One restart operation on one host. */
    public record Restart(String host, Instant at, String operation, String version) {
    }

    private final LocalFleet fleet;
    private final Map<String, Long> marks = new HashMap<>();

    public AgentRestarts(LocalFleet fleet) throws IOException {
        this.fleet = fleet;
        for (LocalFleet.Host host : fleet.hosts()) {
            Path log = fleet.agentLog(host);
            marks.put(host.serviceId(), Files.exists(log) ? Files.size(log) : 0L);
        }
    }

    /** Every restart logged since this was made, per host in the fleet's order. */
    public Map<String, List<Restart>> since() throws IOException {
        Map<String, List<Restart>> out = new LinkedHashMap<>();
        for (LocalFleet.Host host : fleet.hosts()) {
            List<Restart> restarts = new ArrayList<>();
            Path log = fleet.agentLog(host);
            if (Files.exists(log)) {
                try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                    long from = marks.getOrDefault(host.serviceId(), 0L);
                    byte[] added = new byte[(int) Math.max(0, Math.min(file.length() - from, 16 * 1024 * 1024))];
                    file.seek(from);
                    file.readFully(added);
                    for (String line : new String(added, StandardCharsets.UTF_8).split("\n")) {
                        Matcher m = RESTART.matcher(line);
                        if (m.find()) restarts.add(new Restart(host.serviceId(), Instant.parse(m.group(1)), m.group(2), m.group(4)));
                    }
                }
            }
            out.put(host.serviceId(), restarts);
        }
        return out;
    }
}
