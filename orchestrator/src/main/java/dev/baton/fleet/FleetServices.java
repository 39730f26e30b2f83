package dev.baton.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.lb.HaproxyRuntime;
import dev.baton.rollout.StepFailure;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every local test fleet has besides its hosts: a Consul dev agent ({@code <network>250}) and, optionally,
 * HAProxy ({@code <network>240}) following it through Consul DNS, on one loopback network, with the waits that tell
 * when they are ready. The agent fleet ({@link LocalFleet}) and the agentless one ({@link SshFleet}) share it.
 */
final class FleetServices {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String service;
    private final String network;
    private final Path work;
    private final Processes processes;
    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();

    FleetServices(String service, String network, Path work, Processes processes) {
        this.service = service;
        this.network = network;
        this.work = work;
        this.processes = processes;
    }

    String consulAddress() {
        return "http://" + network + "250:8500";
    }

    String loadBalancerUrl() {
        return "http://" + network + "240:" + Haproxy.PORT;
    }

    String loadBalancerRuntime() {
        return "unix:" + work.resolve("haproxy.sock");
    }

    String loadBalancerRuntimeTcp() {
        return network + "240:" + Haproxy.RUNTIME_PORT;
    }

    boolean hasLoadBalancer() {
        return Files.exists(work.resolve("haproxy.cfg"));
    }

    Process startConsul(Path consul) throws IOException, InterruptedException {
        String ip = network + "250";
        Process process = processes.start(List.of(consul.toString(), "agent", "-dev", "-bind", ip, "-client", ip,
                "-node", "baton-dev", "-log-level", "warn", "-hcl", "ports { grpc = -1 grpc_tls = -1 }",
                "-hcl", "dns_config { service_ttl { \"*\" = \"0s\" } }"), work.resolve("consul.log"));
        awaitTrue("Consul leader at " + ip, () -> {
            String leader = consulText("/v1/status/leader");
            return leader != null && leader.length() > 2;
        });
        return process;
    }

    void startHaproxy(Path haproxy, int size) throws IOException, InterruptedException {
        Path config = Haproxy.writeConfig(work, network + "240", network + "250", service, Math.max(size, 2) * 2);
        processes.start(List.of(haproxy.toString(), "-db", "-f", config.toString()), work.resolve("haproxy.log"));
        awaitTrue("HAProxy runtime socket", () -> Files.exists(work.resolve("haproxy.sock")));
    }

    /** Waits until the load balancer routes to {@code count} servers (HAProxy's health checks pass on each). */
    void awaitLoadBalancerRoutesTo(int count) throws IOException, InterruptedException {
        HaproxyRuntime runtime = new HaproxyRuntime(loadBalancerRuntime());
        awaitTrue("HAProxy routing to all " + count + " hosts", () -> {
            try {
                return runtime.servers(Haproxy.BACKEND).stream().filter(HaproxyRuntime.ServerState::inRotation).count() == count;
            } catch (StepFailure e) {
                return false;
            }
        });
    }

    /** Registers one instance of the service with an HTTP health check on its app, through the Consul agent. */
    void register(String id, String address, int port, List<String> tags, Map<String, String> meta) throws IOException {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("CheckID", id + "-http");
        check.put("Name", "HTTP /healthz");
        check.put("HTTP", "http://" + address + ":" + port + "/healthz");
        check.put("Interval", "500ms");
        check.put("Timeout", "1s");
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("ID", id);
        definition.put("Name", service);
        definition.put("Address", address);
        definition.put("Port", port);
        definition.put("Tags", tags);
        definition.put("Meta", meta);
        definition.put("Checks", List.of(check));
        Request request = new Request.Builder().url(consulAddress() + "/v1/agent/service/register")
                .put(RequestBody.create(MAPPER.writeValueAsBytes(definition), JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) throw new IOException("registering " + id + " answered " + response.code());
        }
    }

    void awaitPassing(int size) throws IOException, InterruptedException {
        awaitTrue(size + " instances of " + service + " passing in Consul", () -> {
            String body = consulText("/v1/health/service/" + service + "?passing=true");
            return body != null && MAPPER.readTree(body).size() == size;
        });
    }

    private String consulText(String path) {
        try (Response response = http.newCall(new Request.Builder().url(consulAddress() + path).get().build()).execute()) {
            return response.isSuccessful() && response.body() != null ? response.body().string() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws IOException;
    }

    /** Polls {@code condition} every 50 ms for at most {@link #START_TIMEOUT}, then fails naming what and where the logs are. */
    void awaitTrue(String what, Condition condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + START_TIMEOUT.toSeconds() + "s waiting for " + what + " (logs in " + work + ")");
            }
            Thread.sleep(50);
        }
    }
}
