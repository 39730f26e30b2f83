package dev.baton.bench;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * Consul's own latency while a benchmark runs: a one-key transaction (300 bytes, as small as an event) every
 * {@link #EVERY}, straight to Consul (not through the counting relay, so not counted as Baton's), at most
 * {@link #MAX_PROBES} of them. An event is shown once Consul stored it, so this is the floor under the event delivery
 * latency measured beside it.
 */
final class ConsulLatencyProbe implements AutoCloseable {
    static final Duration EVERY = Duration.ofMillis(50);
    static final int MAX_PROBES = 6000;
    private static final MediaType JSON = MediaType.get("application/json");

    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
    private final String url;
    private final List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean stopped;

    /** Starts probing the Consul at {@code consul} ("http://host:port"). */
    ConsulLatencyProbe(String consul) {
        this.url = consul + "/v1/txn";
        thread = new Thread(this::probe, "consul-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void probe() {
        String value = Base64.getEncoder().encodeToString("x".repeat(300).getBytes());
        String body = "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"bench/probe\",\"Value\":\"" + value + "\"}}]";
        for (int i = 0; i < MAX_PROBES && !stopped; i++) {
            long start = System.nanoTime();
            try (Response response = http.newCall(new Request.Builder().url(url).put(RequestBody.create(body, JSON)).build()).execute()) {
                if (response.code() == 200) latenciesMs.add((System.nanoTime() - start) / 1_000_000);
            } catch (IOException e) {
                // counted as nothing: the figures say how many probes were answered
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** "n answered, p50 X ms, p99 Y ms" of the probes so far. */
    String summary() {
        List<Long> sorted;
        synchronized (latenciesMs) {
            sorted = new ArrayList<>(latenciesMs);
        }
        Collections.sort(sorted);
        return String.format("%d one-key transactions, p50 %d ms, p99 %d ms", sorted.size(),
                EventStreamBench.percentile(sorted, 50), EventStreamBench.percentile(sorted, 99));
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
