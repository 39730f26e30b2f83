package dev.baton.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import dev.baton.ca.CertificateAuthority;
import dev.baton.tls.PemFiles;
import dev.baton.tls.TlsContexts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real fleet on this machine, for the demo and the tests: Consul in dev mode and N hosts, each on its
 * own loopback address (127.X.Y.n) running a Baton agent and the demo app, registered in Consul with an
 * HTTP health check. {@link #close()} stops everything it started, also from a shutdown hook.
 */
public final class LocalFleet implements AutoCloseable {
    public static final int AGENT_PORT = 7070;
    public static final int APP_PORT = 8080;
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One host of the fleet. */
    public record Host(String serviceId, String address, boolean tls) {
        public Host(String serviceId, String address) {
            this(serviceId, address, false);
        }

        public String appUrl() {
            return "http://" + address + ":" + APP_PORT;
        }

        public String agentUrl() {
            return (tls ? "https://" : "http://") + address + ":" + AGENT_PORT;
        }
    }

    private final String service;
    private final String network;
    private final Path work;
    private final String token;
    private final Processes processes;
    private final FleetServices services;
    private final Artifacts artifacts;
    private OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
    /** With mutual TLS: the CA's directory and this fleet's client credentials; null for plain HTTP. */
    private Path caDir;
    private TlsContexts clientTls;
    private final List<Host> hosts = new ArrayList<>();
    private final Map<String, Process> agents = new java.util.concurrent.ConcurrentHashMap<>();
    private Process consul;
    private final Thread cleanup = new Thread(this::stopQuietly, "local-fleet-cleanup");

    private LocalFleet(String service, Path work) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.service = service;
        this.network = "127." + random.nextInt(100, 200) + "." + random.nextInt(1, 255) + ".";
        this.work = work;
        this.token = HexFormat.of().formatHex(randomBytes());
        this.processes = new Processes(work.getFileName().toString());
        this.services = new FleetServices(service, network, work, processes);
        this.artifacts = new Artifacts(Tools.repo().resolve("build/artifacts"));
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Starts Consul and {@code size} hosts running {@code version} of the demo app, all passing in Consul. */
    public static LocalFleet start(String service, int size, String version) throws IOException, InterruptedException {
        return start(service, size, version, false);
    }

    /** As {@link #start(String, int, String)}, with HAProxy in front when {@code loadBalancer}. */
    public static LocalFleet start(String service, int size, String version, boolean loadBalancer)
            throws IOException, InterruptedException {
        return start(service, size, version, loadBalancer, false);
    }

    /**
     * As {@link #start(String, int, String, boolean)}; with {@code tls} the fleet makes its own CA ({@code baton ca}'s
     * code), gives each agent a certificate for its address and serves every agent API over mutual TLS only.
     */
    public static LocalFleet start(String service, int size, String version, boolean loadBalancer, boolean tls)
            throws IOException, InterruptedException {
        return start(service, size, version, loadBalancer, tls, false);
    }

    /**
     * A large fleet behind HAProxy for the scale benchmark: every host's agent is the real one, with its own address,
     * home, app process and registration, but all agents share one JVM ({@code AgentGroupMain}) so that hundreds fit
     * on one machine. At most {@link #MAX_HOSTS} hosts (one loopback /24 network).
     */
    public static LocalFleet startSharingOneAgentJvm(String service, int size, String version) throws IOException, InterruptedException {
        if (size < 1 || size > MAX_HOSTS) throw new IllegalArgumentException("a local fleet has 1 to " + MAX_HOSTS + " hosts, not " + size);
        return start(service, size, version, true, false, true);
    }

    /** Host addresses end in 1..MAX_HOSTS; .240 and .250 are HAProxy and Consul. */
    public static final int MAX_HOSTS = 230;
    private static final int INSTALLERS = 8;

    private static LocalFleet start(String service, int size, String version, boolean loadBalancer, boolean tls, boolean oneAgentJvm)
            throws IOException, InterruptedException {
        Path consul = Tools.consul();
        Path agentJar = Tools.agentJar();
        Path haproxy = loadBalancer ? Tools.haproxy() : null;
        LocalFleet fleet = new LocalFleet(service, Files.createTempDirectory("baton-fleet-"));
        try {
            if (tls) fleet.makeCertificateAuthority();
            fleet.consul = fleet.services.startConsul(consul);
            if (haproxy != null) fleet.services.startHaproxy(haproxy, size);
            Artifacts.Artifact first = fleet.artifacts.build(version);
            if (oneAgentJvm) {
                fleet.startAgentGroup(size, agentJar, first);
            } else {
                for (int n = 1; n <= size; n++) {
                    fleet.hosts.add(fleet.startHost(n, agentJar, first));
                }
            }
            for (Host host : fleet.hosts) fleet.register(host, fleet.hosts.indexOf(host) + 1);
            fleet.services.awaitPassing(size);
            if (haproxy != null) fleet.awaitLoadBalancerRoutesToAll();
            return fleet;
        } catch (IOException | InterruptedException | RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    public String consulAddress() {
        return services.consulAddress();
    }

    public boolean hasLoadBalancer() {
        return services.hasLoadBalancer();
    }

    /** The load balancer's URL, when the fleet has one. */
    public String loadBalancerUrl() {
        return services.loadBalancerUrl();
    }

    /** HAProxy's runtime API address, as a plan's {@code loadBalancer.haproxy.runtime}. */
    public String loadBalancerRuntime() {
        return services.loadBalancerRuntime();
    }

    /** HAProxy's runtime API over TCP ({@code host:port}), for tools that cannot talk to a UNIX socket. */
    public String loadBalancerRuntimeTcp() {
        return services.loadBalancerRuntimeTcp();
    }

    /** HAProxy's output: its request log, one line per request (epoch ms, server address, status), and its messages. */
    public Path loadBalancerLog() {
        return work.resolve("haproxy.log");
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    public String service() {
        return service;
    }

    /** The agents' bearer token: give it to {@code baton} in $BATON_AGENT_TOKEN. */
    public String agentToken() {
        return token;
    }

    public Path workDir() {
        return work;
    }

    /** The client credentials (certificate from the fleet's CA) a Baton needs to reach the agents; null without TLS. */
    public TlsContexts agentClientTls() {
        return clientTls;
    }

    /** The fleet CA's directory (ca.pem, ca-key.pem), to issue more certificates in tests; null without TLS. */
    public Path certificateAuthority() {
        return caDir;
    }

    private void makeCertificateAuthority() throws IOException {
        caDir = Files.createDirectories(work.resolve("ca"));
        CertificateAuthority ca = CertificateAuthority.create("Baton test fleet CA", Duration.ofDays(1));
        PemFiles.writePrivateKey(caDir.resolve("ca-key.pem"), ca.keys().getPrivate());
        PemFiles.writeCertificate(caDir.resolve("ca.pem"), ca.certificate());
        write(ca.client("baton-test", Duration.ofDays(1)), caDir, "client");
        clientTls = TlsContexts.fromPem(caDir.resolve("ca.pem"), caDir.resolve("client.pem"), caDir.resolve("client-key.pem"));
        http = http.newBuilder().sslSocketFactory(clientTls.context().getSocketFactory(), clientTls.trust()).build();
    }

    private static void write(CertificateAuthority.Issued issued, Path dir, String name) throws IOException {
        PemFiles.writePrivateKey(dir.resolve(name + "-key.pem"), issued.keys().getPrivate());
        PemFiles.writeCertificate(dir.resolve(name + ".pem"), issued.certificate());
    }

    /** The agent's TLS flags, with a certificate for {@code ip} from the fleet's CA; none without TLS. */
    private List<String> agentTlsFlags(String ip, Path home) throws IOException {
        if (caDir == null) return List.of();
        write(CertificateAuthority.load(caDir.resolve("ca.pem"), caDir.resolve("ca-key.pem")).agent(ip, Duration.ofDays(1)), home, "agent");
        return List.of("--tls-cert", home.resolve("agent.pem").toString(), "--tls-key", home.resolve("agent-key.pem").toString(),
                "--client-ca", caDir.resolve("ca.pem").toString());
    }

    public Artifacts.Artifact artifact(String version) throws IOException, InterruptedException {
        return artifacts.build(version);
    }

    /** Writes a plan that rolls the fleet to {@code version}; {@code extra} is appended YAML. */
    public Path writePlan(String version, String extra) throws IOException, InterruptedException {
        Artifacts.Artifact artifact = artifact(version);
        String plan = """
                # rolls the local demo fleet to %s
                service: %s
                version: %s
                artifact:
                  url: %s
                  sha256: %s
                targets:
                  consul: { service: %s }
                consul: %s
                drain:
                  timeout: 30s
                  propagation: { verify: %s, quietPeriod: 300ms, timeout: 30s }
                restart: { strategy: stop-start, timeout: 2m }
                health:
                  http: { path: /healthz, expect: 200, timeout: 1s }
                  interval: 100ms
                  deadline: 30s
                """.formatted(version, service, version, artifact.url(), artifact.sha256(), service, consulAddress(),
                        hasLoadBalancer() ? "[consul, loadBalancer, traffic]" : "[consul]")
                + (hasLoadBalancer() ? """
                loadBalancer:
                  haproxy: { runtime: "%s", backend: %s }
                """.formatted(loadBalancerRuntime(), Haproxy.BACKEND) : "");
        Path file = work.resolve("rollout-" + version + ".yaml");
        Files.writeString(file, plan + (extra == null ? "" : extra));
        return file;
    }

    /** Waits until the load balancer routes to every host (HAProxy's health checks pass on each). */
    public void awaitLoadBalancerRoutesToAll() throws IOException, InterruptedException {
        services.awaitLoadBalancerRoutesTo(hosts.size());
    }

    private void register(Host host, int n) throws IOException {
        services.register(host.serviceId(), host.address(), APP_PORT, List.of("prod", "demo"),
                Map.of("zone", n % 2 == 0 ? "zone-b" : "zone-a", "rack", "r" + n));
    }

    private Host startHost(int n, Path agentJar, Artifacts.Artifact release) throws IOException, InterruptedException {
        Host host = prepareHost(n);
        startAgent(host, AGENT_PORT, agentJar);
        install(host, release);
        return host;
    }

    private Host prepareHost(int n) throws IOException {
        Path home = Files.createDirectories(work.resolve("host-" + n));
        Path tokenFile = home.resolve("agent.token");
        // The agent refuses a token file that anyone but its owner could read.
        Files.deleteIfExists(tokenFile);
        Files.createFile(tokenFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, token);
        return new Host(service + "-" + n, network + n, caDir != null);
    }

    /** Every host's agent in one JVM (one command line per line of agents.tsv), then each host's first release. */
    private void startAgentGroup(int size, Path agentJar, Artifacts.Artifact release) throws IOException, InterruptedException {
        StringBuilder lines = new StringBuilder();
        for (int n = 1; n <= size; n++) {
            Host host = prepareHost(n);
            hosts.add(host);
            lines.append(String.join("\t", agentArguments(host, AGENT_PORT))).append('\n');
        }
        Path file = work.resolve("agents.tsv");
        Files.writeString(file, lines);
        // full JIT, as the packaged agent runs: 200 agents verifying a release's sha256 take ten times longer in C1 code
        Process group = processes.start(List.of("java", "-Xmx256m", "-Xss256k", "-XX:+UseSerialGC",
                "-cp", agentJar.toString(), "dev.baton.agent.AgentGroupMain", file.toString()), work.resolve("agents.log"));
        for (Host host : hosts) {
            agents.put(host.serviceId(), group);
            awaitTrue("agent on " + host.address(), () -> getText(host.agentUrl() + "/v1/status") != null);
        }
        // In one JVM a fork can inherit another agent's half-written executable ("text file busy" at exec): every
        // release is unpacked first (no exec), then every app started (no write), as a rollout's PREPARE does.
        stage(release);
        eachHost(host -> install(host, release));
    }

    /**
     * Fetches, verifies and unpacks {@code version} on every host through its agent, without starting it: a release
     * staged ahead of a rollout, whose PREPARE then finds it in place.
     */
    public void stage(String version) throws IOException, InterruptedException {
        stage(artifacts.build(version));
    }

    private void stage(Artifacts.Artifact release) throws IOException, InterruptedException {
        eachHost(host -> send(new Request.Builder().url(host.agentUrl() + "/v1/releases").post(RequestBody.create(
                MAPPER.writeValueAsBytes(Map.of("version", release.version(),
                        "artifact", Map.of("url", release.url(), "sha256", release.sha256()))), JSON))));
    }

    private interface HostTask {
        void run(Host host) throws IOException, InterruptedException;
    }

    private void eachHost(HostTask task) throws IOException, InterruptedException {
        var installers = java.util.concurrent.Executors.newFixedThreadPool(INSTALLERS);
        try {
            List<java.util.concurrent.Future<?>> installs = new ArrayList<>();
            for (Host host : hosts) installs.add(installers.submit(() -> {
                task.run(host);
                return null;
            }));
            for (var install : installs) {
                try {
                    install.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("on a host: " + e.getCause().getMessage(), e.getCause());
                }
            }
        } finally {
            installers.shutdownNow();
        }
    }

    private List<String> agentArguments(Host host, int port) {
        String ip = host.address();
        Path home = home(host);
        String app = "demo-app -listen " + ip + ":" + APP_PORT + " -shutdown-timeout 30s -pidfile {pidfile}";
        return List.of("--listen", ip + ":" + port, "--home", home.toString(),
                "--token-file", home.resolve("agent.token").toString(), "--allow-hooks", "--app-command", app,
                "--ready-url", "http://" + ip + ":" + APP_PORT + "/healthz");
    }

    private void startAgent(Host host, int port, Path agentJar) throws IOException, InterruptedException {
        String ip = host.address();
        Path home = home(host);
        List<String> command = new ArrayList<>(List.of("java", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-jar", agentJar.toString()));
        command.addAll(agentArguments(host, port));
        command.addAll(agentTlsFlags(ip, home));
        agents.put(host.serviceId(), processes.start(command, home.resolve("agent.log")));
        String status = (host.tls() ? "https://" : "http://") + ip + ":" + port + "/v1/status";
        awaitTrue("agent on " + ip + ":" + port, () -> getText(status) != null);
    }

    private Path home(Host host) {
        return work.resolve("host-" + host.address().substring(host.address().lastIndexOf('.') + 1));
    }

    /** The agent's log on {@code host} (every agent started there appends to it). */
    public Path agentLog(Host host) {
        return home(host).resolve("agent.log");
    }

    /** Fault injection: SIGKILL to the host's agent alone (its app keeps running, as after an agent crash). */
    public void killAgent(Host host) throws InterruptedException {
        Process agent = agents.get(host.serviceId());
        if (agent == null) return;
        Processes.signal("KILL", agent.pid(), false);
        agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Whether the agent this fleet last started on {@code host} is running. */
    public boolean agentAlive(Host host) {
        Process agent = agents.get(host.serviceId());
        return agent != null && agent.isAlive();
    }

    /**
     * Starts the host's agent again on {@code port} (same home: it adopts the running app), after
     * {@link #killAgent}; a port other than {@link #AGENT_PORT} leaves that address free for a proxy in front.
     */
    public void restartAgent(Host host, int port) throws IOException, InterruptedException {
        Process agent = agents.get(host.serviceId());
        if (agent != null && agent.isAlive()) {
            Processes.signal("TERM", agent.pid(), false);
            if (!agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) killAgent(host);
        }
        startAgent(host, port, Tools.agentJar());
    }

    /** Fault injection: a signal (e.g. STOP, CONT, KILL) to the Consul agent. */
    public void signalConsul(String signal) {
        Processes.signal(signal, consul.pid(), false);
    }

    /** Installs and starts {@code version} on the host through its agent on the usual port, waiting until it runs. */
    public void reinstall(Host host, String version) throws IOException, InterruptedException {
        install(host, artifacts.build(version));
    }

    private void install(Host host, Artifacts.Artifact release) throws IOException, InterruptedException {
        Map<String, Object> body = Map.of("version", release.version(), "strategy", "stop-start",
                "artifact", Map.of("url", release.url(), "sha256", release.sha256()));
        JsonNode op = send(new Request.Builder().url(host.agentUrl() + "/v1/restarts")
                .post(RequestBody.create(MAPPER.writeValueAsBytes(body), JSON)));
        String id = op.path("id").asText();
        awaitTrue("first start of the app on " + host.address(), () -> {
            String state = send(new Request.Builder().url(host.agentUrl() + "/v1/operations/" + id).get()).path("state").asText();
            if (state.equals("FAILED")) throw new IOException("installing " + release.version() + " on " + host.address() + " failed");
            return state.equals("SUCCEEDED");
        });
    }

    private JsonNode send(Request.Builder request) throws IOException {
        try (Response response = http.newCall(request.header("Authorization", "Bearer " + token).build()).execute()) {
            String body = response.body() == null ? "" : response.body().string();
            if (!response.isSuccessful()) {
                throw new IOException(request.build().url() + " answered " + response.code() + ": " + body);
            }
            return body.isBlank() ? MAPPER.nullNode() : MAPPER.readTree(body);
        }
    }

    private String getText(String url) {
        try (Response response = http.newCall(new Request.Builder().url(url)
                .header("Authorization", "Bearer " + token).get().build()).execute()) {
            return response.isSuccessful() && response.body() != null ? response.body().string() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void awaitTrue(String what, FleetServices.Condition condition) throws IOException, InterruptedException {
        services.awaitTrue(what, condition);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private void stopQuietly() {
        processes.stopAll();
        artifacts.close();
        removeReleases();
    }

    /** The unpacked releases go (a 200-host fleet leaves gigabytes of them); the logs and plans stay for a look. */
    private void removeReleases() {
        for (Host host : hosts) {
            Path releases = home(host).resolve("releases");
            try (var tree = Files.walk(releases)) {
                tree.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException e) {
                // already gone, or never made
            }
        }
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
