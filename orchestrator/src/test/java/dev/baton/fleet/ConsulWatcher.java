package dev.baton.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Follows a service's passing instances with blocking queries (so it sees every change) and records each
 * distinct set of passing instance ids, to check what was out of rotation at any moment (deregistered or in
 * maintenance alike).
 */
final class ConsulWatcher implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(15)).build();
    private final List<Set<String>> seen = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    ConsulWatcher(String consul, String service) {
        thread = new Thread(() -> watch(consul, service), "consul-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch(String consul, String service) {
        long index = 0;
        long until = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (running && System.nanoTime() < until) {
            String url = consul + "/v1/health/service/" + service + "?passing&wait=5s&index=" + index;
            try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
                JsonNode body = MAPPER.readTree(response.body().string());
                Set<String> ids = new TreeSet<>();
                body.forEach(entry -> ids.add(entry.path("Service").path("ID").asText()));
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(ids)) seen.add(ids);
                String next = response.header("X-Consul-Index");
                long nextIndex = next == null ? 0 : Long.parseLong(next);
                index = nextIndex > index ? nextIndex : 0;
            } catch (Exception e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    List<Set<String>> states() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(Duration.ofSeconds(20).toMillis());
    }
}
