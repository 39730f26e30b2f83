package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.api.BatonServer;
import dev.baton.api.Role;
import dev.baton.api.ServerConfig;
import dev.baton.api.Tokens;
import dev.baton.fleet.LocalFleet;
import dev.baton.store.Json;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/bench events}: a 3-host fleet and a Baton server; rollouts alternate between no watcher and 50
 * concurrent SSE watchers. Prints each rollout's wall time (the server's startedAt → endedAt) and, for the
 * events that reached watchers live, the delivery latency from the event's {@code at} to its arrival.
 */
public final class EventStreamBench {
    private static final int DEFAULT_WATCHERS = 50;
    private static final int ROUNDS = 5;
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();

    private EventStreamBench() {
    }

    private record Run(int watchers, long wallMs, List<Long> latenciesMs, int delivered, boolean allEnded) {
    }

    public static void main(String[] args) throws Exception {
        int watcherCount = DEFAULT_WATCHERS;
        if (args.length == 2 && args[0].equals("--watchers") && args[1].matches("\\d{1,4}") && Integer.parseInt(args[1]) >= 1
                && Integer.parseInt(args[1]) <= 1000) {
            watcherCount = Integer.parseInt(args[1]);
        } else if (args.length != 0) {
            System.err.println("usage: bin/bench events [--watchers N]   (N from 1 to 1000, default " + DEFAULT_WATCHERS + ")");
            System.exit(2);
        }
        String deployer = token();
        System.out.printf("event stream benchmark: 3 hosts, %d rounds of (0 watchers, %d watchers)%n", ROUNDS, watcherCount);
        List<Run> runs = new ArrayList<>();
        try (LocalFleet fleet = LocalFleet.start("web", 3, "1.0.0")) {
            Map<String, String> env = Map.of(ServerConfig.AGENT_TOKEN_ENV, fleet.agentToken());
            ServerConfig config = ServerConfig.of("127.0.0.1", 0, okhttp3.HttpUrl.get(fleet.consulAddress()),
                    new Tokens(Map.of(deployer, Role.DEPLOYER)), env::get);
            try (BatonServer server = BatonServer.start(config)) {
                int version = 2;
                for (int round = 0; round < ROUNDS; round++) {
                    for (int watchers : new int[]{0, watcherCount}) {
                        String plan = Files.readString(fleet.writePlan(version++ + ".0.0", null));
                        Run run = rollout(server.url(), deployer, plan, watchers);
                        runs.add(run);
                        System.out.printf("  round %d, %2d watchers: rollout %5d ms%s%n", round + 1, watchers, run.wallMs(),
                                watchers == 0 ? "" : String.format(", %d deliveries, max latency %d ms%s", run.delivered(),
                                        max(run.latenciesMs()), run.allEnded() ? "" : " (some streams did not end!)"));
                    }
                }
            }
        }
        report(runs, watcherCount);
    }

    private static Run rollout(String base, String token, String plan, int watchers) throws Exception {
        String id;
        try (Response response = HTTP.newCall(new Request.Builder().url(base + "/api/v1/rollouts")
                .header("Authorization", "Bearer " + token)
                .post(RequestBody.create(plan, MediaType.get("application/yaml"))).build()).execute()) {
            JsonNode body = Json.MAPPER.readTree(response.body().string());
            if (response.code() != 201) throw new IllegalStateException("POST /rollouts: " + response.code() + " " + body);
            id = body.path("id").asText();
        }
        JsonNode rollout;
        List<Long> latencies;
        boolean allEnded;
        try (SseWatchers started = new SseWatchers(base, token, id, watchers)) {
            do {
                Thread.sleep(200);
                rollout = get(base + "/api/v1/rollouts/" + id, token);
            } while (rollout.path("endedAt").isNull());
            allEnded = started.awaitEnd(Duration.ofSeconds(10));
            latencies = started.latenciesMs();
            if (started.refused() != null) throw new IllegalStateException("an event stream was refused: " + started.refused());
        }
        int delivered = latencies.size();
        if (!rollout.path("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException(id + " ended " + rollout.path("status").asText() + ": " + rollout.path("summary").asText());
        }
        return new Run(watchers, rollout.path("durationMs").asLong(), latencies, delivered, allEnded);
    }

    private static void report(List<Run> runs, int watcherCount) {
        List<Long> without = runs.stream().filter(r -> r.watchers() == 0).map(Run::wallMs).sorted().toList();
        List<Long> with = runs.stream().filter(r -> r.watchers() > 0).map(Run::wallMs).sorted().toList();
        List<Long> latencies = new ArrayList<>();
        runs.forEach(r -> latencies.addAll(r.latenciesMs()));
        Collections.sort(latencies);
        System.out.println();
        System.out.printf("rollout wall time over %d rounds (JOIN waits for Consul's 500 ms health checks: noisy):%n", ROUNDS);
        System.out.printf("   0 watchers: median %d ms, min %d ms%n", median(without), without.get(0));
        System.out.printf("  %2d watchers: median %d ms, min %d ms (median %+.1f%%)%n", watcherCount, median(with), with.get(0),
                100.0 * (median(with) - median(without)) / median(without));
        System.out.printf("event delivery latency (event at -> received by a watcher), %d live deliveries: p50 %d ms, p99 %d ms, max %d ms%n",
                latencies.size(), percentile(latencies, 50), percentile(latencies, 99), max(latencies));
        boolean withinSecond = !latencies.isEmpty() && max(latencies) < 1000;
        System.out.println("every event within 1 s: " + (withinSecond ? "yes" : "NO"));
    }

    private static long median(List<Long> sorted) {
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) return 0;
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static JsonNode get(String url, String token) throws IOException {
        try (Response response = HTTP.newCall(new Request.Builder().url(url).header("Authorization", "Bearer " + token).build()).execute()) {
            return Json.MAPPER.readTree(response.body().string());
        }
    }

    private static String token() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
