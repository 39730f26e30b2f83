package dev.baton.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fleet as docs/real-hosts.md starts from, on loopback: Consul, HAProxy on Consul DNS, and N "hosts" (127.X.Y.n)
 * that have sshd and the operator's runit supervising the app ({@code sv-app}, down until the first release) and,
 * once installed, the Baton agent ({@code sv-agent}, running {@link #agentCommand}). No agent is there at the start:
 * {@code baton agent install} puts it there over SSH, with {@code --process command} driving the app through
 * {@code sv}. Every host shares one distribution prefix; each has its own config directory and agent home.
 */
public final class InstalledFleet implements AutoCloseable {
    public static final int SSH_PORT = 2222;
    public static final int AGENT_PORT = 7070;
    public static final int APP_PORT = 8080;
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One host: its address, the agent's config directory and home, the runit services of its app and agent. */
    public record Host(String serviceId, String address, Path configDir, Path agentHome, Runsv app, Runsv agent) {
        public String appUrl() {
            return "http://" + address + ":" + APP_PORT;
        }
    }

    private final String service;
    private final String network;
    private final Path work;
    private final Processes processes;
    private final FleetServices services;
    private final Artifacts artifacts;
    private final String token;
    private final List<LocalSshd> sshds = new ArrayList<>();
    private final List<Host> hosts = new ArrayList<>();
    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
    private final Thread cleanup = new Thread(this::stopQuietly, "installed-fleet-cleanup");
    private Path identityFile;
    private Path knownHosts;
    private Path tokenFile;

    private InstalledFleet(String service, Path work) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.service = service;
        this.network = "127." + random.nextInt(200, 250) + "." + random.nextInt(1, 255) + ".";
        this.work = work;
        this.processes = new Processes(work.getFileName().toString());
        this.services = new FleetServices(service, network, work, processes);
        this.artifacts = new Artifacts(Tools.repo().resolve("build/artifacts"));
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.token = HexFormat.of().formatHex(secret);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Consul, HAProxy and {@code size} hosts with sshd and runit, no agent and no app running yet. */
    public static InstalledFleet start(String service, int size) throws IOException, InterruptedException {
        Path consul = Tools.consul();
        Path haproxy = Tools.haproxy();
        InstalledFleet fleet = new InstalledFleet(service, Files.createTempDirectory("baton-installed-fleet-"));
        try {
            fleet.identityFile = SshKeys.generate(fleet.work.resolve("id_ed25519"), "ed25519");
            fleet.tokenFile = fleet.work.resolve("agent.token");
            Files.createFile(fleet.tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(fleet.tokenFile, fleet.token + "\n");
            fleet.services.startConsul(consul);
            fleet.services.startHaproxy(haproxy, size);
            StringBuilder known = new StringBuilder();
            for (int n = 1; n <= size; n++) {
                String ip = fleet.network + n;
                LocalSshd sshd = LocalSshd.start(fleet.work.resolve("sshd-" + n), ip, SSH_PORT, false, List.of(Path.of(fleet.identityFile + ".pub")));
                fleet.sshds.add(sshd);
                known.append(sshd.knownHostsLine()).append('\n');
                Path dir = fleet.work.resolve("host-" + n);
                Path config = dir.resolve("etc/baton-agent");
                Path home = dir.resolve("var/lib/baton-agent");
                // HUP hands the listener to a successor; runsv's next child takes it over through the takeover socket
                Runsv app = Runsv.start(dir.resolve("sv-app"), "sh -c 'cd " + home + "/current && exec ./demo-app -listen "
                        + ip + ":" + APP_PORT + " -shutdown-timeout 30s -handoff-signal HUP -takeover-socket " + dir.resolve("takeover.sock")
                        + "'", true);
                Runsv agent = Runsv.start(dir.resolve("sv-agent"), fleet.agentCommand(config), true);
                fleet.hosts.add(new Host(service + "-" + n, ip, config, home, app, agent));
            }
            fleet.knownHosts = Files.writeString(fleet.work.resolve("known_hosts"), known);
            return fleet;
        } catch (IOException | InterruptedException | RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /** Where the distribution goes on every host ({@code baton agent install --prefix}). */
    public Path prefix() {
        return work.resolve("opt/baton");
    }

    /** What {@code baton agent install} prints for a host without systemd, and what sv-agent's run script execs. */
    public String agentCommand(Path configDir) {
        return prefix() + "/current/bin/baton-agent @" + configDir + "/agent.args";
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    public Path identityFile() {
        return identityFile;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public Path tokenFile() {
        return tokenFile;
    }

    public String agentToken() {
        return token;
    }

    public String consulAddress() {
        return services.consulAddress();
    }

    public String loadBalancerUrl() {
        return services.loadBalancerUrl();
    }

    public Path workDir() {
        return work;
    }

    public Artifacts.Artifact artifact(String version) throws IOException, InterruptedException {
        return artifacts.build(version);
    }

    /**
     * The first release through each host's agent (the app starts under runit), then the instances registered in
     * Consul and routed to by HAProxy: the fleet as it stands before its first rollout.
     */
    public void deployFirstRelease(String version) throws IOException, InterruptedException {
        Artifacts.Artifact release = artifacts.build(version);
        for (Host host : hosts) {
            String body = MAPPER.writeValueAsString(Map.of("version", version, "strategy", "stop-start",
                    "artifact", Map.of("url", release.url(), "sha256", release.sha256())));
            String id = send(new Request.Builder().url(agentUrl(host) + "/v1/restarts").post(RequestBody.create(body, JSON))).path("id").asText();
            services.awaitTrue("the first release on " + host.address(), () -> {
                String state = send(new Request.Builder().url(agentUrl(host) + "/v1/operations/" + id).get()).path("state").asText();
                if (state.equals("FAILED")) throw new IOException("the first release on " + host.address() + " failed");
                return state.equals("SUCCEEDED");
            });
            services.register(host.serviceId(), host.address(), APP_PORT, List.of("prod"), Map.of("rack", "r" + (hosts.indexOf(host) + 1)));
        }
        services.awaitPassing(hosts.size());
        services.awaitLoadBalancerRoutesTo(hosts.size());
    }

    /** A plan rolling the fleet to {@code version} with propagation verified by Consul, HAProxy and the agents. */
    public Path writePlan(String version) throws IOException, InterruptedException {
        return writePlan(version, "stop-start");
    }

    /** As {@link #writePlan(String)} with another restart strategy; {@code handoff} keeps the instances in rotation. */
    public Path writePlan(String version, String strategy) throws IOException, InterruptedException {
        Artifacts.Artifact artifact = artifacts.build(version);
        String plan = """
                service: %s
                version: %s
                artifact: { url: "%s", sha256: %s }
                targets: { consul: { service: %s } }
                consul: %s
                loadBalancer:
                  haproxy: { runtime: "%s", backend: %s }
                %s
                restart: { strategy: %s, timeout: 2m }
                health:
                  http: { path: /healthz, expect: 200, timeout: 1s }
                  interval: 100ms
                  deadline: 30s
                """.formatted(service, version, artifact.url(), artifact.sha256(), service, consulAddress(),
                services.loadBalancerRuntime(), Haproxy.BACKEND, strategy.equals("handoff") ? "drain: { mode: none }"
                        : "drain: { timeout: 30s, propagation: { verify: [consul, loadBalancer, traffic], quietPeriod: 300ms, timeout: 30s } }",
                strategy);
        return Files.writeString(work.resolve("rollout-" + version + ".yaml"), plan);
    }

    public void awaitLoadBalancerRoutesToAll() throws IOException, InterruptedException {
        services.awaitLoadBalancerRoutesTo(hosts.size());
    }

    private static String agentUrl(Host host) {
        return "http://" + host.address() + ":" + AGENT_PORT;
    }

    private JsonNode send(Request.Builder request) throws IOException {
        try (Response response = http.newCall(request.header("Authorization", "Bearer " + token).build()).execute()) {
            String body = response.body() == null ? "" : response.body().string();
            if (!response.isSuccessful()) throw new IOException(request.build().url() + " answered " + response.code() + ": " + body);
            return MAPPER.readTree(body);
        }
    }

    private void stopQuietly() {
        for (Host host : hosts) {
            host.agent().close();
            host.app().close();
        }
        sshds.forEach(LocalSshd::close);
        processes.stopAll();
        artifacts.close();
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself is running
        }
    }
}
