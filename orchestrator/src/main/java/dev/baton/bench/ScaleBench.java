package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.chaos.BatonServerProcess;
import dev.baton.fleet.LocalFleet;
import dev.baton.rollout.Event;
import dev.baton.store.Json;
import dev.baton.store.LoggedEvent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/bench scale [--hosts N]}: a real fleet of N hosts (default 200) on this machine, rolled by a real Baton
 * server with {@code batch: 10%} and verified propagation, under steady load through HAProxy, with 400 SSE watchers.
 * Each host has its own loopback address, demo-app process, Consul registration and agent; the agents are the real
 * agent code, all in one JVM ({@code AgentGroupMain}: one Jetty server, restart worker and app process per host).
 * The server runs in a JVM of its own (its memory and CPU read from /proc), talking to Consul through a counting
 * proxy. The limit is measured outside Baton, from HAProxy's request log ({@link OutsideLimit}).
 */
public final class ScaleBench {
    private static final int DEFAULT_HOSTS = 200;
    private static final int WATCHERS = 400;
    private static final int LOAD_WORKERS = 10;
    private static final int LOAD_QPS_PER_WORKER = 50;
    private static final int LOAD_MAX_SECONDS = 1200;
    private static final Duration ROLLOUT_DEADLINE = Duration.ofMinutes(15);
    private static final Pattern HEAP_USED = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K");

    private ScaleBench() {
    }

    /** What one run ended with: the rollout's status, the failed requests through HAProxy, the summary line. */
    public record Result(String status, long failedRequests, String line) {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Result result = measure(options.hosts(), options.watchers(), options.staged());
        System.out.println(result.line());
    }

    /** Rolls a fleet of {@code hosts} once with {@code watchers} SSE watchers, fetching the release during the rollout. */
    public static Result measure(int hosts, int watchers) throws Exception {
        return measure(hosts, watchers, false);
    }

    /**
     * Rolls a fleet of {@code hosts} once with {@code watchers} SSE watchers; prints the details as it goes. With
     * {@code staged} the release is fetched, verified and unpacked on every host before the rollout starts (its
     * PREPARE then finds it in place): here every "host" shares the same 2 cores, so 200 fetches during the rollout
     * take CPU that a real fleet spends on 200 machines of its own.
     */
    public static Result measure(int hosts, int watchers, boolean staged) throws Exception {
        Resources.require(hosts);
        System.out.printf("scale benchmark: %d hosts (agents in one JVM), batch 10%%, %d SSE watchers, load %d req/s through HAProxy%s%n",
                hosts, watchers, LOAD_WORKERS * LOAD_QPS_PER_WORKER, staged ? ", release staged on every host first" : "");
        Instant setup = Instant.now();
        try (LocalFleet fleet = LocalFleet.startSharingOneAgentJvm("web", hosts, "1.0.0");
             ConsulCallCounter consul = new ConsulCallCounter("127.0.0.1", fleet.consulAddress())) {
            System.out.printf("  fleet ready in %d s; logs in %s%n", Duration.between(setup, Instant.now()).toSeconds(), fleet.workDir());
            if (staged) {
                Instant staging = Instant.now();
                fleet.stage("2.0.0");
                System.out.printf("  2.0.0 staged on %d hosts in %.1f s%n", hosts, Duration.between(staging, Instant.now()).toMillis() / 1000.0);
            }
            String token = token();
            try (BatonServerProcess server = BatonServerProcess.start("baton-scale", consul.url(), fleet.workDir(), token,
                    fleet.agentToken(), fleet.workDir().resolve("server.log"))) {
                return run(fleet, consul, server, token, hosts, watchers);
            }
        }
    }

    private record Options(int hosts, int watchers, boolean staged) {
        static Options parse(String[] args) {
            int hosts = DEFAULT_HOSTS;
            int watchers = WATCHERS;
            boolean staged = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--staged")) {
                    staged = true;
                } else if (args[i].equals("--hosts") && i + 1 < args.length && args[i + 1].matches("\\d{1,4}")
                        && Integer.parseInt(args[i + 1]) >= 2 && Integer.parseInt(args[i + 1]) <= LocalFleet.MAX_HOSTS) {
                    hosts = Integer.parseInt(args[++i]);
                } else if (args[i].equals("--watchers") && i + 1 < args.length && args[i + 1].matches("\\d{1,3}")) {
                    watchers = Integer.parseInt(args[++i]);
                } else {
                    System.err.println("usage: bin/bench scale [--hosts N] [--watchers W] [--staged]   (N from 2 to " + LocalFleet.MAX_HOSTS
                            + ", default " + DEFAULT_HOSTS + "; W from 0 to 999, default " + WATCHERS
                            + "; --staged: the release is on every host before the rollout)");
                    System.exit(2);
                }
            }
            return new Options(hosts, watchers, staged);
        }
    }

    private static Result run(LocalFleet fleet, ConsulCallCounter consul, BatonServerProcess server, String token, int hosts,
                              int watcherCount) throws Exception {
        String plan = Files.readString(fleet.writePlan("2.0.0", "strategy: { batch: 10%, prepare: ahead }\n"));
        ProcStat before = ProcStat.of(server.pid());
        ConsulCallCounter.Counts countsBefore = consul.counts();
        HeyLoad.Report during;
        JsonNode rollout;
        List<Long> latencies = new ArrayList<>();
        List<Long> answered = new ArrayList<>();
        String consulItself;
        try (HeyLoad load = new HeyLoad(fleet.loadBalancerUrl() + "/", LOAD_WORKERS, LOAD_QPS_PER_WORKER, LOAD_MAX_SECONDS,
                fleet.workDir().resolve("hey-during.txt"))) {
            Thread.sleep(1000);
            BatonServerProcess.Answer started = server.start(plan);
            if (started.status() != 201) throw new IllegalStateException("POST /rollouts answered " + started.status() + ": " + started.text());
            String id = started.json().path("id").asText();
            boolean allEnded;
            try (SseWatchers watchers = new SseWatchers(server.url(), token, id, watcherCount);
                 ConsulLatencyProbe probe = new ConsulLatencyProbe(fleet.consulAddress())) {
                Instant deadline = Instant.now().plus(ROLLOUT_DEADLINE);
                do {
                    Thread.sleep(500);
                    rollout = server.rollout(id);
                    if (Instant.now().isAfter(deadline)) throw new IllegalStateException(id + " did not end within " + ROLLOUT_DEADLINE);
                } while (rollout.path("endedAt").isNull());
                allEnded = watchers.awaitEnd(Duration.ofSeconds(30));
                latencies.addAll(watchers.latenciesMs());
                answered.addAll(watchers.answeredMs());
                consulItself = probe.summary();
                if (watchers.refused() != null) System.out.println("  (an event stream was refused: " + watchers.refused() + ")");
            }
            if (!allEnded) System.out.println("  (some event streams did not end within 30 s of the rollout)");
            Thread.sleep(1000);
            during = load.stop();
        }
        ProcStat after = ProcStat.of(server.pid());
        ConsulCallCounter.Counts counts = consul.counts().minus(countsBefore);
        if (!rollout.path("status").asText().equals("SUCCEEDED")) {
            System.out.println("  rollout ended " + rollout.path("status").asText() + ": " + rollout.path("summary").asText());
        }
        Files.writeString(fleet.workDir().resolve("rollout.json"), rollout.toString());
        List<Event> events = new ArrayList<>();
        for (JsonNode e : rollout.path("events")) events.add(Json.MAPPER.convertValue(e, LoggedEvent.class).event());
        Map<String, String> addresses = new HashMap<>();
        for (LocalFleet.Host host : fleet.hosts()) addresses.put(host.serviceId(), host.address() + ":" + LocalFleet.APP_PORT);
        OutsideLimit limit = OutsideLimit.measure(events, addresses, fleet.loadBalancerLog());
        Collections.sort(latencies);
        Collections.sort(answered);
        double wall = rollout.path("durationMs").asLong() / 1000.0;
        double limitS = limit.total().toMillis() / 1000.0;
        System.out.printf("  %d requests during the rollout, %d failed%s; outside limit: %s%n", during.requests(), during.failed(),
                during.errors().isEmpty() ? "" : " [" + during.errors() + "]", limit.meanPieces());
        System.out.println("  per host: " + ZeroDowntimeBench.breakdown(events) + "; per batch: " + batches(events));
        System.out.printf("  Consul: %d calls, %d blocking queries, %d KV writes; most called: %s%n", counts.calls(), counts.blocking(),
                counts.kvWrites(), consul.topPaths(6));
        System.out.printf("  %d live event deliveries to %d watchers (p50 %d ms), their streams answered in p50 %d ms, p99 %d ms; "
                        + "the rollout with its events: %s%n", latencies.size(), watcherCount, EventStreamBench.percentile(latencies, 50),
                EventStreamBench.percentile(answered, 50), EventStreamBench.percentile(answered, 99), fleet.workDir().resolve("rollout.json"));
        System.out.printf("  Consul itself during the rollout (an event is shown once stored): %s%n", consulItself);
        String line = String.format("scale: hosts=%d failed_requests=%d wall_s=%.1f limit_s=%.1f ratio=%.2f rss_mb=%d heap_mb=%d cpu_s_per_host=%.3f "
                        + "consul_calls_per_host=%.1f kv_writes_per_host=%.1f events=%d sse_p99_ms=%d",
                hosts, during.failed(), wall, limitS, limitS == 0 ? Double.NaN : wall / limitS, after.peakRssKb() / 1024,
                heapUsedMb(server.pid()), (after.cpuTicks() - before.cpuTicks()) / (double) ProcStat.TICKS_PER_SECOND / hosts,
                counts.calls() / (double) hosts, counts.kvWrites() / (double) hosts, events.size(),
                EventStreamBench.percentile(latencies, 99));
        return new Result(rollout.path("status").asText(), during.failed(), line);
    }

    /** Mean duration of a batch (BATCH ended) and of the rollout before the first batch (PREPARE, targets). */
    private static String batches(List<Event> events) {
        List<Event> ended = events.stream().filter(e -> e.host() == null && e.step() == dev.baton.rollout.Step.BATCH
                && e.took() != null).toList();
        Instant start = events.isEmpty() ? null : events.get(0).at();
        Instant firstBatch = events.stream().filter(e -> e.host() == null && e.step() == dev.baton.rollout.Step.BATCH)
                .map(Event::at).findFirst().orElse(start);
        return ended.size() + " batches, mean " + (ended.isEmpty() ? 0 : ended.stream().mapToLong(e -> e.took().toMillis()).sum() / ended.size())
                + " ms; before the first batch " + (start == null ? 0 : Duration.between(start, firstBatch).toMillis()) + " ms";
    }

    /** The server's heap in use now (young + old generation), from {@code jcmd GC.heap_info}; -1 when jcmd cannot tell. */
    private static long heapUsedMb(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes());
        process.waitFor(30, TimeUnit.SECONDS);
        Matcher used = HEAP_USED.matcher(text);
        long kb = 0;
        boolean found = false;
        while (used.find()) {
            kb += Long.parseLong(used.group(1));
            found = true;
        }
        return found ? kb / 1024 : -1;
    }

    /** A process's CPU time (user + system, in clock ticks) and peak resident memory, from /proc. */
    private record ProcStat(long cpuTicks, long peakRssKb) {
        static final int TICKS_PER_SECOND = 100;

        static ProcStat of(long pid) throws IOException {
            String stat = Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat")).get(0);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            long hwm = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmHWM:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
            return new ProcStat(ticks, hwm);
        }
    }

    private static String token() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
