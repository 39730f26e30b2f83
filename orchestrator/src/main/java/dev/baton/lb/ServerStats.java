package dev.baton.lb;

import dev.baton.rollout.StepFailure;

import java.util.ArrayList;
import java.util.List;

/**
 * Strict reader of {@code show stat <backend> 4 -1} (the servers' sessions and queue), framed like every
 * {@code show stat} answer by {@link StatTable#rows}. Anything unexpected is a failure, never "no sessions": an empty
 * table would read as proof that no request can arrive.
 */
final class ServerStats {
    /** {@code show stat} type mask: 4 = servers. */
    static final int SERVERS = 4;
    private static final List<String> NEEDED = List.of("pxname", "svname", "qcur", "scur", "addr");

    private ServerStats() {
    }

    static List<HaproxyRuntime.ServerSessions> parse(String backend, String text) throws StepFailure {
        List<HaproxyRuntime.ServerSessions> servers = new ArrayList<>();
        for (StatTable.Row row : StatTable.rows(backend, SERVERS, text, NEEDED)) {
            servers.add(new HaproxyRuntime.ServerSessions(row.text("svname"), row.text("addr"), row.count("qcur"), row.count("scur")));
        }
        return servers;
    }
}
