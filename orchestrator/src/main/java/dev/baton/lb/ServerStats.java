package dev.baton.lb;

import dev.baton.rollout.StepFailure;
import dev.baton.wire.Excerpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Strict reader of {@code show stat <backend> 4 -1} (the servers' CSV statistics): a header naming the columns
 * this reader needs, rows of the header's width for that backend, the empty line HAProxy ends with. Anything else
 * is a failure, never "no sessions": an empty table would read as proof that no request can arrive.
 */
final class ServerStats {
    private static final List<String> NEEDED = List.of("pxname", "svname", "qcur", "scur", "addr");

    private ServerStats() {
    }

    static List<HaproxyRuntime.ServerSessions> parse(String backend, String text) throws StepFailure {
        String what = "`show stat " + backend + " 4 -1`";
        if (text.isBlank()) throw new StepFailure("HAProxy answered nothing to " + what);
        if (!text.endsWith("\n\n")) {
            throw new StepFailure("HAProxy's answer to " + what + " is cut off (no closing empty line): " + Excerpt.firstLine(text));
        }
        List<String> lines = text.substring(0, text.length() - 2).lines().toList();
        if (!lines.get(0).startsWith("# ")) {
            throw new StepFailure("HAProxy did not answer " + what + " with a statistics table: " + Excerpt.firstLine(text));
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        int[] at = new int[NEEDED.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = header.indexOf(NEEDED.get(i));
            if (at[i] < 0) throw new StepFailure("HAProxy's answer to " + what + " has no column " + NEEDED.get(i));
        }
        List<HaproxyRuntime.ServerSessions> servers = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length != header.size() || !f[at[0]].equals(backend)) {
                throw new StepFailure("HAProxy's answer to " + what + " has an unexpected row: " + Excerpt.quoted(line));
            }
            try {
                servers.add(new HaproxyRuntime.ServerSessions(f[at[1]], f[at[4]], Integer.parseInt(f[at[2]]), Integer.parseInt(f[at[3]])));
            } catch (NumberFormatException e) {
                throw new StepFailure("HAProxy's answer to " + what + " has a row with non-numeric counters: " + Excerpt.quoted(line));
            }
        }
        return servers;
    }
}
