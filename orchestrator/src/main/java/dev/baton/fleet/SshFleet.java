package dev.baton.fleet;

import dev.baton.plan.Plan;
import dev.baton.rollout.Instance;
import dev.baton.rollout.RestartOrder;
import dev.baton.rollout.StepFailure;
import dev.baton.ssh.SshConnector;
import dev.baton.ssh.SshHostControl;
import dev.baton.ssh.SshSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A local fleet of agentless hosts: Consul in dev mode, HAProxy on Consul DNS, and N hosts on their own loopback
 * addresses (127.X.Y.n), each with only Debian's sshd (port {@link #SSH_PORT}) and the demo app, which Baton itself
 * installed and started over SSH. The hosts' files live in {@code host-n/} of the work directory; a generated
 * ed25519 key logs in, and known_hosts lists every host key.
 */
public final class SshFleet implements AutoCloseable {
    public static final int SSH_PORT = 2222;
    public static final int APP_PORT = 8080;
    /** How the plans and the first install start the demo app on a host (run from root/current). */
    public static final String START = "exec ./demo-app -listen \"$BATON_HOST:" + APP_PORT + "\" -shutdown-timeout 30s";

    /** One agentless host: its Consul service id, address, and the directory its releases live in. */
    public record Host(String serviceId, String address, Path root) {
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
    private final List<LocalSshd> sshds = new ArrayList<>();
    private LocalSshd jumpHost;
    private final List<Host> hosts = new ArrayList<>();
    private final Thread cleanup = new Thread(this::stopQuietly, "ssh-fleet-cleanup");
    private Path identityFile;
    private Path knownHosts;

    private SshFleet(String service, Path work) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.service = service;
        this.network = "127." + random.nextInt(200, 250) + "." + random.nextInt(1, 255) + ".";
        this.work = work;
        this.processes = new Processes(work.getFileName().toString());
        this.services = new FleetServices(service, network, work, processes);
        this.artifacts = new Artifacts(Tools.repo().resolve("build/artifacts"));
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Starts Consul, HAProxy and {@code size} sshd hosts, installs {@code version} on each over SSH, all passing. */
    public static SshFleet start(String service, int size, String version) throws IOException, InterruptedException {
        Path consul = Tools.consul();
        Path haproxy = Tools.haproxy();
        SshFleet fleet = new SshFleet(service, Files.createTempDirectory("baton-ssh-fleet-"));
        try {
            fleet.identityFile = SshKeys.generate(fleet.work.resolve("id_ed25519"), "ed25519");
            fleet.services.startConsul(consul);
            fleet.services.startHaproxy(haproxy, size);
            StringBuilder known = new StringBuilder();
            for (int n = 1; n <= size; n++) {
                String ip = fleet.network + n;
                LocalSshd sshd = LocalSshd.start(fleet.work.resolve("sshd-" + n), ip, SSH_PORT, false,
                        List.of(Path.of(fleet.identityFile + ".pub")));
                fleet.sshds.add(sshd);
                known.append(sshd.knownHostsLine()).append('\n');
                fleet.hosts.add(new Host(service + "-" + n, ip, Path.of(fleet.appRoot().replace("{host}", ip))));
            }
            fleet.jumpHost = LocalSshd.start(fleet.work.resolve("sshd-jump"), fleet.network + "230", SSH_PORT, true,
                    List.of(Path.of(fleet.identityFile + ".pub")));
            known.append(fleet.jumpHost.knownHostsLine()).append('\n');
            fleet.knownHosts = fleet.work.resolve("known_hosts");
            Files.writeString(fleet.knownHosts, known);
            fleet.install(fleet.artifacts.build(version));
            for (Host host : fleet.hosts) fleet.register(host, fleet.hosts.indexOf(host) + 1);
            fleet.services.awaitPassing(size);
            fleet.awaitLoadBalancerRoutesToAll();
            return fleet;
        } catch (IOException | InterruptedException | RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    public String consulAddress() {
        return services.consulAddress();
    }

    public String loadBalancerUrl() {
        return services.loadBalancerUrl();
    }

    public String loadBalancerRuntime() {
        return services.loadBalancerRuntime();
    }

    public Path workDir() {
        return work;
    }

    /** A bastion (sshd allowing TCP forwarding) the plans can connect through: {@code ssh.jumpHost}. */
    public LocalSshd jumpHost() {
        return jumpHost;
    }

    public Path identityFile() {
        return identityFile;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    /** The root of every host's releases, with {@code {host}} for its address (each host has its own directory). */
    public String appRoot() {
        return work.resolve("hosts").resolve("{host}").toString();
    }

    public Artifacts.Artifact artifact(String version) throws IOException, InterruptedException {
        return artifacts.build(version);
    }

    /** The app section of this fleet's plans. */
    public Plan.SshApp app() {
        return new Plan.SshApp(appRoot(), START, null, null, "http://{host}:" + APP_PORT + "/healthz");
    }

    public SshSettings sshSettings() {
        return new SshSettings(System.getProperty("user.name"), SSH_PORT, identityFile, knownHosts, false, null, Duration.ofSeconds(10));
    }

    /** A plan rolling the fleet to {@code version} over SSH, verified by Consul and HAProxy; {@code extra} is appended. */
    public Path writePlan(String version, String extra) throws IOException, InterruptedException {
        return writePlan(version, extra, false);
    }

    /** As {@link #writePlan(String, String)}, connecting through the fleet's jump host when {@code throughJumpHost}. */
    public Path writePlan(String version, String extra, boolean throughJumpHost) throws IOException, InterruptedException {
        Artifacts.Artifact artifact = artifact(version);
        String plan = """
                # rolls the local agentless fleet to %1$s over SSH
                service: %2$s
                version: %1$s
                artifact:
                  url: %3$s
                  sha256: %4$s
                targets:
                  consul: { service: %2$s }
                consul: %5$s
                loadBalancer:
                  haproxy: { runtime: "%6$s", backend: %7$s }
                drain:
                  timeout: 30s
                  propagation: { verify: [consul, loadBalancer], timeout: 30s }
                restart: { via: ssh, strategy: stop-start, timeout: 2m }
                ssh:
                  user: %8$s
                  port: %9$d
                  identityFile: %10$s
                  knownHosts: %11$s
                %15$s  app:
                    root: "%12$s"
                    start: '%13$s'
                    readyUrl: "http://{host}:%14$d/healthz"
                health:
                  http: { path: /healthz, expect: 200, timeout: 1s }
                  interval: 100ms
                  deadline: 30s
                """.formatted(version, service, artifact.url(), artifact.sha256(), consulAddress(), loadBalancerRuntime(),
                Haproxy.BACKEND, System.getProperty("user.name"), SSH_PORT, identityFile, knownHosts, appRoot(), START, APP_PORT,
                throughJumpHost ? "  jumpHost: { host: " + jumpHost.address() + " }\n" : "");
        Path file = work.resolve("rollout-" + version + ".yaml");
        Files.writeString(file, plan + (extra == null ? "" : extra));
        return file;
    }

    /** The first install: Baton's own SSH host control fetches, switches and starts the release on every host. */
    private void install(Artifacts.Artifact release) throws IOException, InterruptedException {
        SshHostControl control = new SshHostControl(new SshConnector(sshSettings()), app(), false, service);
        RestartOrder order = new RestartOrder(release.version(), release.url(), release.sha256(), "stop-start",
                Duration.ofSeconds(30), Duration.ofSeconds(30));
        for (Host host : hosts) {
            Instance instance = new Instance(host.serviceId(), service, "baton-dev", host.address(), APP_PORT);
            try {
                control.prepare(instance, order);
                control.restart(instance, order, Duration.ofMinutes(2));
            } catch (StepFailure e) {
                throw new IOException("installing " + release.version() + " on " + host.address() + " over SSH failed: " + e.getMessage(), e);
            }
        }
    }

    public void awaitLoadBalancerRoutesToAll() throws IOException, InterruptedException {
        services.awaitLoadBalancerRoutesTo(hosts.size());
    }

    private void register(Host host, int n) throws IOException {
        services.register(host.serviceId(), host.address(), APP_PORT, List.of("prod", "ssh"), Map.of("rack", "r" + n));
    }

    /** The apps run in process groups of their own (Baton started them over SSH): stop each group by its recorded pid. */
    private void stopApps() {
        for (Host host : hosts) {
            Path pidFile = host.root().resolve("app.pid");
            try {
                String pid = Files.exists(pidFile) ? Files.readString(pidFile).strip() : "";
                if (!pid.matches("[1-9]\\d{0,9}")) continue;
                new ProcessBuilder("kill", "-KILL", "--", "-" + pid).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (IOException e) {
                // best effort: the app's group may already be gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void stopQuietly() {
        stopApps();
        sshds.forEach(LocalSshd::close);
        if (jumpHost != null) jumpHost.close();
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
