package dev.baton.bench;

import dev.baton.rollout.Event;
import dev.baton.rollout.Step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The physical limit of a rollout, measured from outside Baton with HAProxy's own request log: per host, the time
 * from leaving Consul (its LEAVE done) to the last request HAProxy routed to it, plus its drain, start and ready
 * (the agent's RESTART), plus the time from rejoining (JOIN started) to the first request HAProxy routed to it
 * again. Per batch the slowest host counts; the limit is the sum over batches. Baton's waits (propagation checks,
 * health probes, Consul passing) are not in it: they are what the limit is compared with.
 */
final class OutsideLimit {
    /** One host's part of the limit and its pieces. */
    record HostLimit(String host, int batch, Duration leaveToLastRequest, Duration restart, Duration joinToFirstRequest) {
        Duration total() {
            return leaveToLastRequest.plus(restart).plus(joinToFirstRequest);
        }
    }

    private final List<HostLimit> hosts;

    private OutsideLimit(List<HostLimit> hosts) {
        this.hosts = hosts;
    }

    /**
     * @param events    the rollout's events, in order
     * @param addresses instance id → "ip:port" as HAProxy logs the server
     * @param haproxyLog lines "epochMillis ip:port status" (see the fleet's HAProxy log-format)
     */
    static OutsideLimit measure(List<Event> events, Map<String, String> addresses, Path haproxyLog) throws IOException {
        Map<String, NavigableSet<Long>> requests = requestsByServer(haproxyLog);
        Map<String, Instant> left = new HashMap<>();
        Map<String, Instant> restartEnd = new HashMap<>();
        Map<String, Duration> restartTook = new HashMap<>();
        Map<String, Instant> joinStart = new HashMap<>();
        Map<String, Integer> batchOf = new LinkedHashMap<>();
        int batch = 0;
        for (Event e : events) {
            if (e.host() == null) {
                if (e.step() == Step.BATCH && e.outcome() == Event.Outcome.STARTED) batch++;
                continue;
            }
            if (e.step() == Step.LEAVE && e.outcome() == Event.Outcome.OK) {
                left.put(e.host(), e.at());
                batchOf.put(e.host(), batch);
            } else if (e.step() == Step.RESTART && e.outcome() == Event.Outcome.OK) {
                restartEnd.put(e.host(), e.at());
                restartTook.put(e.host(), e.took());
            } else if (e.step() == Step.JOIN && e.outcome() == Event.Outcome.STARTED) {
                joinStart.put(e.host(), e.at());
            }
        }
        List<HostLimit> out = new ArrayList<>();
        for (Map.Entry<String, Integer> host : batchOf.entrySet()) {
            String id = host.getKey();
            if (!restartEnd.containsKey(id) || !joinStart.containsKey(id)) continue;
            NavigableSet<Long> times = requests.getOrDefault(addresses.get(id), new TreeSet<>());
            long leftAt = left.get(id).toEpochMilli();
            Long last = times.lower(restartEnd.get(id).toEpochMilli());
            Duration leaveToLast = last == null || last < leftAt ? Duration.ZERO : Duration.ofMillis(last - leftAt);
            long joinAt = joinStart.get(id).toEpochMilli();
            Long first = times.ceiling(joinAt);
            // never routed to again before the log ends: count nothing rather than guess
            Duration joinToFirst = first == null ? Duration.ZERO : Duration.ofMillis(first - joinAt);
            out.add(new HostLimit(id, host.getValue(), leaveToLast, restartTook.get(id), joinToFirst));
        }
        return new OutsideLimit(out);
    }

    private static Map<String, NavigableSet<Long>> requestsByServer(Path log) throws IOException {
        Map<String, NavigableSet<Long>> out = new HashMap<>();
        try (var lines = Files.lines(log)) {
            lines.forEach(line -> {
                String[] parts = line.split(" ");
                if (parts.length < 3 || parts[0].isEmpty() || !Character.isDigit(parts[0].charAt(0))) return;
                try {
                    out.computeIfAbsent(parts[1], k -> new TreeSet<>()).add(Long.parseLong(parts[0]));
                } catch (NumberFormatException notARequestLine) {
                    // HAProxy's own messages share the file
                }
            });
        }
        return out;
    }

    /** The sum over batches of each batch's slowest host. */
    Duration total() {
        Map<Integer, Duration> slowest = new HashMap<>();
        for (HostLimit h : hosts) slowest.merge(h.batch(), h.total(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        return slowest.values().stream().reduce(Duration.ZERO, Duration::plus);
    }

    List<HostLimit> hosts() {
        return hosts;
    }

    /** Mean of each piece over the hosts, in ms: "leave→last 120, restart 900, join→first 300". */
    String meanPieces() {
        if (hosts.isEmpty()) return "no host measured";
        long n = hosts.size();
        return "leave→last request %d ms, drain+start+ready %d ms, join→first request %d ms (mean of %d hosts)".formatted(
                hosts.stream().mapToLong(h -> h.leaveToLastRequest().toMillis()).sum() / n,
                hosts.stream().mapToLong(h -> h.restart().toMillis()).sum() / n,
                hosts.stream().mapToLong(h -> h.joinToFirstRequest().toMillis()).sum() / n, n);
    }
}
