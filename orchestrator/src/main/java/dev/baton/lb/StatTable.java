package dev.baton.lb;

import dev.baton.rollout.StepFailure;
import dev.baton.rollout.TrafficSample;
import dev.baton.wire.Excerpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict reader of {@code show stat <backend> 6 -1} (the backend row and its server rows, CSV): a {@code # }
 * header naming at least the columns read here, rows of the header's width for that backend only, exactly one
 * BACKEND row, numbers where numbers belong, and the closing empty line. Anything else ("No such proxy.", a
 * cut-off table, a TCP backend without HTTP counters) is a failure, never zero traffic.
 */
final class StatTable {
    /** {@code show stat} type mask: 2 = backend, 4 = servers. */
    static final int BACKEND_AND_SERVERS = 6;
    /** HAProxy's TIME_STATS_SAMPLES: rtime is a moving sum over 512 responses, shown as a mean over min(req_tot, 512). */
    static final long RTIME_SAMPLES = 512;
    private static final List<String> NEEDED = List.of("pxname", "svname", "status", "addr", "req_tot", "hrsp_5xx", "econ",
            "eresp", "rtime");

    private StatTable() {
    }

    static TrafficSample parse(String backend, String text) throws StepFailure {
        TrafficSample.Counters total = null;
        List<TrafficSample.Server> servers = new ArrayList<>();
        for (Row row : rows(backend, BACKEND_AND_SERVERS, text, NEEDED)) {
            if (row.text("svname").equals("BACKEND")) {
                if (total != null) throw new StepFailure("HAProxy's answer to " + row.what() + " has two BACKEND rows");
                total = row.counters();
            } else {
                servers.add(row.server());
            }
        }
        if (total == null) throw new StepFailure("HAProxy's answer to `show stat " + backend + " " + BACKEND_AND_SERVERS + " -1` has no BACKEND row");
        return new TrafficSample(total, servers);
    }

    /**
     * The rows of an answer to {@code show stat <backend> <mask> -1}, framed strictly: not blank, the closing empty
     * line, a {@code # } header naming every {@code needed} column, each row of the header's width and for that backend.
     */
    static List<Row> rows(String backend, int mask, String text, List<String> needed) throws StepFailure {
        String what = "`show stat " + backend + " " + mask + " -1`";
        if (text.isBlank()) throw new StepFailure("HAProxy answered nothing to " + what);
        if (!text.endsWith("\n\n")) {
            throw new StepFailure("HAProxy's answer to " + what + " is cut off (no closing empty line): " + Excerpt.firstLine(text));
        }
        List<String> lines = text.substring(0, text.length() - 2).lines().toList();
        if (!lines.get(0).startsWith("# ")) {
            throw new StepFailure("HAProxy did not answer " + what + " with a stats table: " + Excerpt.firstLine(text));
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < header.size(); i++) column.putIfAbsent(header.get(i), i);
        for (String name : needed) {
            if (!column.containsKey(name)) {
                throw new StepFailure("HAProxy's answer to " + what + " has no column " + name + ": " + Excerpt.quoted(lines.get(0)));
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            Row row = new Row(what, column, header.size(), line);
            if (!row.text("pxname").equals(backend)) {
                throw new StepFailure("HAProxy's answer to " + what + " has a row for proxy " + Excerpt.quoted(row.text("pxname")));
            }
            rows.add(row);
        }
        return rows;
    }

    record Row(String what, Map<String, Integer> column, String line, String[] fields) {
        Row(String what, Map<String, Integer> column, int width, String line) throws StepFailure {
            this(what, column, line, line.split(",", -1));
            if (fields.length != width) {
                throw new StepFailure("HAProxy's answer to " + what + " has a row of " + fields.length + " fields, the header has "
                        + width + ": " + Excerpt.quoted(line));
            }
        }

        String text(String name) {
            return fields[column.get(name)];
        }

        long number(String name) throws StepFailure {
            String value = text(name);
            if (!value.matches("\\d{1,18}")) {
                throw new StepFailure("HAProxy's answer to " + what + " has " + Excerpt.quoted(value) + " for " + name
                        + " (an HTTP backend counts it): " + Excerpt.quoted(line));
            }
            return Long.parseLong(value);
        }

        int count(String name) throws StepFailure {
            long value = number(name);
            if (value > Integer.MAX_VALUE) {
                throw new StepFailure("HAProxy's answer to " + what + " has " + value + " for " + name + ": " + Excerpt.quoted(line));
            }
            return (int) value;
        }

        TrafficSample.Counters counters() throws StepFailure {
            return new TrafficSample.Counters(number("req_tot"), number("hrsp_5xx") + number("econ") + number("eresp"));
        }

        TrafficSample.Server server() throws StepFailure {
            String addr = text("addr");
            String address = "";
            int port = 0;
            // A server-template slot Consul DNS has not filled yet has no address.
            if (!addr.isEmpty() && !addr.equals("-")) {
                int colon = addr.lastIndexOf(':');
                if (colon <= 0 || !addr.substring(colon + 1).matches("\\d{1,5}")) {
                    throw new StepFailure("HAProxy's answer to " + what + " has an address that is not host:port: " + Excerpt.quoted(addr));
                }
                address = addr.substring(0, colon).replace("[", "").replace("]", "");
                port = Integer.parseInt(addr.substring(colon + 1));
            }
            String status = text("status");
            boolean up = status.startsWith("UP") || status.equals("no check");
            return new TrafficSample.Server(text("svname"), address, port, counters(), number("rtime"), up, RTIME_SAMPLES);
        }
    }
}
