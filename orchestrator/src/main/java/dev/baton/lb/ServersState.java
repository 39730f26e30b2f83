package dev.baton.lb;

import dev.baton.rollout.StepFailure;
import dev.baton.wire.Excerpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Strict reader of {@code show servers state <backend>}: format version {@code 1}, the known header, rows of
 * exactly the header's width for that backend, and the empty line HAProxy ends every answer with. Anything
 * else (an error text such as "Can't find backend.", an unknown command, a cut-off table) is a failure, never
 * an empty list of servers, because an empty list would read as "out of rotation".
 */
final class ServersState {
    /** The columns every HAProxy since 1.8 starts the version-1 header with; later versions may append more. */
    static final List<String> COLUMNS = List.of("be_id", "be_name", "srv_id", "srv_name", "srv_addr", "srv_op_state",
            "srv_admin_state", "srv_uweight", "srv_iweight", "srv_time_since_last_change", "srv_check_status",
            "srv_check_result", "srv_check_health", "srv_check_state", "srv_agent_state", "bk_f_forced_id",
            "srv_f_forced_id", "srv_fqdn", "srv_port");
    private static final int BE_NAME = COLUMNS.indexOf("be_name");
    private static final int SRV_NAME = COLUMNS.indexOf("srv_name");
    private static final int SRV_ADDR = COLUMNS.indexOf("srv_addr");
    private static final int SRV_OP_STATE = COLUMNS.indexOf("srv_op_state");
    private static final int SRV_ADMIN_STATE = COLUMNS.indexOf("srv_admin_state");
    private static final int SRV_PORT = COLUMNS.indexOf("srv_port");

    private ServersState() {
    }

    static List<HaproxyRuntime.ServerState> parse(String backend, String text) throws StepFailure {
        String what = "`show servers state " + backend + "`";
        if (text.isBlank()) throw new StepFailure("HAProxy answered nothing to " + what);
        if (!text.endsWith("\n\n")) {
            throw new StepFailure("HAProxy's answer to " + what + " is cut off (no closing empty line): " + Excerpt.firstLine(text));
        }
        List<String> lines = text.substring(0, text.length() - 2).lines().toList();
        if (!lines.get(0).equals("1")) {
            throw new StepFailure("HAProxy did not answer " + what + " with a version-1 server table: " + Excerpt.firstLine(text));
        }
        if (lines.size() < 2 || !lines.get(1).startsWith("# ")) {
            throw new StepFailure("HAProxy's answer to " + what + " has no header line");
        }
        List<String> header = Arrays.asList(lines.get(1).substring(2).trim().split(" +"));
        if (header.size() < COLUMNS.size() || !header.subList(0, COLUMNS.size()).equals(COLUMNS)) {
            throw new StepFailure("HAProxy's answer to " + what + " has an unexpected header: " + Excerpt.quoted(lines.get(1)));
        }
        List<HaproxyRuntime.ServerState> servers = new ArrayList<>();
        for (int n = 2; n < lines.size(); n++) {
            servers.add(row(backend, what, header.size(), lines.get(n)));
        }
        return servers;
    }

    private static HaproxyRuntime.ServerState row(String backend, String what, int width, String line) throws StepFailure {
        String[] f = line.split(" ", -1);
        if (f.length != width) {
            throw new StepFailure("HAProxy's answer to " + what + " has a row of " + f.length + " fields, the header has "
                    + width + ": " + Excerpt.quoted(line));
        }
        if (!f[BE_NAME].equals(backend)) {
            throw new StepFailure("HAProxy's answer to " + what + " has a row for backend " + Excerpt.quoted(f[BE_NAME]));
        }
        try {
            return new HaproxyRuntime.ServerState(f[BE_NAME], f[SRV_NAME], f[SRV_ADDR], port(f[SRV_PORT]),
                    Integer.parseInt(f[SRV_OP_STATE]), Integer.parseInt(f[SRV_ADMIN_STATE]));
        } catch (NumberFormatException e) {
            throw new StepFailure("HAProxy's answer to " + what + " has a row with a non-numeric state or port: " + Excerpt.quoted(line));
        }
    }

    private static int port(String text) {
        int port = Integer.parseInt(text);
        if (port < 0 || port > 65535) throw new NumberFormatException(text);
        return port;
    }
}
