package dev.baton.install;

import dev.baton.cli.BatonCli;
import dev.baton.dist.Distribution;
import dev.baton.fleet.LocalSshd;
import dev.baton.fleet.Runsv;
import dev.baton.fleet.SshKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code baton agent install} against Debian's sshd on a loopback "host", installing into a scratch root (prefix,
 * config and unit directories, agent home) instead of /opt and /etc. No systemd runs here: the agent is started with
 * the printed command under runit, and the install checks its /v1/status.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentInstallTest {
    private static Distribution dist;
    private static Path dir;
    private static Path key;
    private static Path knownHosts;
    private static Path tokenFile;
    private static Path root;
    private static String network;
    private static LocalSshd host;
    private static Runsv supervisor;
    private static String printedCommand;

    @BeforeAll
    static void startHost() throws Exception {
        dist = Distribution.get();
        dir = Files.createTempDirectory("baton-install-test-");
        key = SshKeys.generate(dir.resolve("id_ed25519"), "ed25519");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        network = "127." + random.nextInt(200, 250) + "." + random.nextInt(1, 255) + ".";
        host = LocalSshd.start(dir.resolve("sshd"), network + "1", 2222, false, List.of(Path.of(key + ".pub")));
        knownHosts = Files.writeString(dir.resolve("known_hosts"), host.knownHostsLine() + "\n");
        tokenFile = dir.resolve("agent.token");
        Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, "install-test-" + Long.toHexString(random.nextLong()) + "\n");
        root = Files.createDirectories(dir.resolve("root"));
    }

    @AfterAll
    static void stopHost() {
        if (supervisor != null) supervisor.close();
        if (host != null) host.close();
    }

    /** The install's command line for {@code hosts} into the scratch root, then {@code extra}. */
    private static BatonCli.Run install(List<String> hosts, String... extra) {
        return install(hosts, Map.of(), extra);
    }

    /** As {@link #install(List, String...)}, with some of the usual options' values replaced. */
    private static BatonCli.Run install(List<String> hosts, Map<String, String> replaced, String... extra) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        options.put("--ssh-key", key.toString());
        options.put("--ssh-user", System.getProperty("user.name"));
        options.put("--ssh-port", "2222");
        options.put("--known-hosts", knownHosts.toString());
        options.put("--dist", dist.tarball.toString());
        options.put("--token-file", tokenFile.toString());
        options.put("--prefix", root + "/opt/baton");
        options.put("--config-dir", root + "/etc/baton-agent");
        options.put("--unit-dir", root + "/etc/systemd/system");
        options.put("--agent-home", root + "/var/lib/baton-agent");
        options.put("--listen", "{host}:7070");
        options.put("--ready-url", "http://{host}:8080/healthz");
        options.put("--app-command", "demo-app -listen {host}:8080 -shutdown-timeout 30s -pidfile {pidfile}");
        options.put("--status-timeout", "90s");
        options.putAll(replaced);
        List<String> args = new ArrayList<>(List.of("agent", "install"));
        args.addAll(hosts);
        options.forEach((option, value) -> args.addAll(List.of(option, value)));
        args.add("--no-systemd");
        args.addAll(List.of(extra));
        BatonCli.Run run = BatonCli.run(args.toArray(String[]::new));
        System.out.println(run.out() + run.err());
        return run;
    }

    /** Every file, directory and link under the scratch root outside the agent's home: path to type, mode, content hash or target. */
    private static Map<String, String> tree() throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.startsWith(root.resolve("var/lib/baton-agent"))).toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String what = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir " + mode
                        : "file " + mode + " " + Tarball.sha256(p) + " " + Files.getLastModifiedTime(p);
                tree.put(root.relativize(p).toString(), what);
            }
        }
        return tree;
    }

    /** The operator's supervisor started the agent: wait until its JVM listens (the install checks the rest). */
    private static void awaitListening(String address, int port) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        while (true) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(address, port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the agent under runit does not listen on " + address + ":" + port + "; its output:\n"
                            + Files.readString(supervisor.dir().resolve("output")), e);
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    @Order(1)
    void aFirstInstallCopiesTheDistributionWritesTheConfigurationAndNamesTheCommandToRun() throws Exception {
        BatonCli.Run run = install(List.of(host.address()));

        assertThat(run.code()).as(run.err()).isZero();
        String line = run.out().strip();
        assertThat(line.lines()).hasSize(1);
        assertThat(line).startsWith(host.address() + ": installed " + dist.version + " (copy baton-" + dist.version + ".tar.gz")
                .contains("write " + root + "/etc/baton-agent/agent.args (0600, root)")
                .contains("point " + root + "/opt/baton/current at " + dist.version);
        Matcher command = Pattern.compile("the agent is not running: start it under your supervisor as (\\S+): (.+)$").matcher(line);
        assertThat(command.find()).as(line).isTrue();
        assertThat(command.group(1)).isEqualTo(System.getProperty("user.name"));
        printedCommand = command.group(2);
        assertThat(printedCommand).isEqualTo(root + "/opt/baton/current/bin/baton-agent @" + root + "/etc/baton-agent/agent.args");

        Path release = root.resolve("opt/baton").resolve(dist.version);
        assertThat(Files.readSymbolicLink(root.resolve("opt/baton/current"))).isEqualTo(Path.of(dist.version));
        assertThat(release.resolve("bin/baton-agent")).isExecutable();
        assertThat(release.resolve("lib/baton-agent.jar")).hasSameBinaryContentAs(dist.root.resolve("lib/baton-agent.jar"));
        for (String secret : List.of("agent.args", "agent.token")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/baton-agent").resolve(secret))))
                    .as(secret).isEqualTo("rw-------");
        }
        assertThat(Files.readString(root.resolve("etc/baton-agent/agent.token"))).isEqualTo(Files.readString(tokenFile).strip() + "\n");
        assertThat(Files.readString(root.resolve("etc/baton-agent/agent.args")))
                .contains("\"--listen\"\n\"" + host.address() + ":7070\"\n")
                .contains("\"--app-command\"\n\"demo-app -listen " + host.address() + ":8080 -shutdown-timeout 30s -pidfile {pidfile}\"\n")
                .doesNotContain(Files.readString(tokenFile).strip());
        assertThat(root.resolve("etc/systemd")).doesNotExist();
    }

    @Test
    @Order(2)
    void theAgentStartedWithThePrintedCommandUnderRunitAnswersAndASecondRunChangesNothing() throws Exception {
        assertThat(printedCommand).isNotNull();
        supervisor = Runsv.start(dir.resolve("service/baton-agent"), printedCommand, false);
        awaitListening(host.address(), 7070);
        Map<String, String> before = tree();

        BatonCli.Run again = install(List.of(host.address()));

        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out().strip()).isEqualTo(host.address() + ": unchanged; /v1/status answers " + dist.version);
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void aDryRunPrintsThePlanAndChangesNothing() throws Exception {
        Map<String, String> before = tree();
        long pid = supervisor.pid();

        BatonCli.Run dry = install(List.of(host.address()), "--handoff-signal", "HUP", "--dry-run");

        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out().strip()).isEqualTo(host.address() + ": 1 change planned (dry run, nothing done):\n  - update "
                + root + "/etc/baton-agent/agent.args (0600, root)");
        assertThat(tree()).isEqualTo(before);
        assertThat(supervisor.pid()).isEqualTo(pid);
    }

    @Test
    @Order(4)
    void aChangedFlagIsWrittenAndTheRestartCommandRestartsTheAgent() throws Exception {
        long pid = supervisor.pid();
        BatonCli.Run changed = install(List.of(host.address()), "--handoff-signal", "HUP",
                "--restart-command", "sv restart " + supervisor.dir());

        assertThat(changed.code()).as(changed.out() + changed.err()).isZero();
        assertThat(changed.out().strip()).isEqualTo(host.address() + ": installed " + dist.version + " (update " + root
                + "/etc/baton-agent/agent.args (0600, root); ran the restart command); /v1/status answers " + dist.version);
        assertThat(supervisor.pid()).isNotZero().isNotEqualTo(pid);
        assertThat(Files.readString(root.resolve("etc/baton-agent/agent.args"))).contains("\"--handoff-signal\"\n\"HUP\"\n");
    }

    @Test
    @Order(5)
    void aChangedHostKeyIsRefusedNamingBothFingerprintsAndAnUnreachableHostIsOneLine() throws Exception {
        LocalSshd rekeyed = LocalSshd.start(dir.resolve("sshd-rekeyed"), network + "2", 2222, false, List.of(Path.of(key + ".pub")));
        try {
            Files.writeString(knownHosts, rekeyed.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
            String oldKey = rekeyed.hostKeyFingerprint();
            rekeyed.rekey();
            Map<String, String> before = tree();
            String unreachable = network + "3";

            BatonCli.Run run = install(List.of(host.address(), rekeyed.address(), unreachable), "--handoff-signal", "HUP");

            assertThat(run.code()).isEqualTo(1);
            List<String> lines = run.out().strip().lines().toList();
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).isEqualTo(host.address() + ": unchanged; /v1/status answers " + dist.version);
            assertThat(lines.get(1)).startsWith(rekeyed.address() + ": FAILED: ssh " + rekeyed.knownHostsName() + ": HOST KEY CHANGED")
                    .contains("has ssh-ed25519 " + oldKey).contains("offered ssh-ed25519 " + rekeyed.hostKeyFingerprint());
            assertThat(lines.get(2)).startsWith(unreachable + ": FAILED: ssh ").contains(unreachable + ":2222").contains("Connection refused");
            assertThat(run.err().strip()).isEqualTo("baton: 2 of 3 host(s) failed");
            assertThat(tree()).isEqualTo(before);
        } finally {
            rekeyed.close();
        }
    }

    @Test
    @Order(6)
    void anUnknownHostIsRefusedUnlessAcceptNewHostKeyIsGiven() throws Exception {
        LocalSshd stranger = LocalSshd.start(dir.resolve("sshd-new"), network + "4", 2222, false, List.of(Path.of(key + ".pub")));
        try {
            BatonCli.Run refused = install(List.of(stranger.address()), "--dry-run");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.out().strip()).startsWith(stranger.address() + ": FAILED: ssh " + stranger.knownHostsName() + ": unknown host key")
                    .endsWith("give --accept-new-host-key");

            BatonCli.Run accepted = install(List.of(stranger.address()), "--dry-run", "--accept-new-host-key");
            assertThat(accepted.code()).as(accepted.out()).isZero();
            assertThat(accepted.out()).startsWith(stranger.address() + ": ").contains("planned (dry run, nothing done)");
            assertThat(Files.readString(knownHosts)).contains(stranger.knownHostsLine());
        } finally {
            stranger.close();
        }
    }

    @Test
    @Order(8)
    void aJumpHostCarriesTheConnection() throws Exception {
        LocalSshd jump = LocalSshd.start(dir.resolve("sshd-jump"), network + "9", 2222, true, List.of(Path.of(key + ".pub")));
        try {
            Files.writeString(knownHosts, jump.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
            BatonCli.Run run = install(List.of(host.address()), "--handoff-signal", "HUP", "--dry-run",
                    "--jump-host", System.getProperty("user.name") + "@" + jump.address() + ":2222");
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            assertThat(run.out().strip()).isEqualTo(host.address() + ": unchanged (dry run)");
            assertThat(Files.readString(jump.log())).contains("Accepted publickey for " + System.getProperty("user.name"));

            BatonCli.Run bad = install(List.of(host.address()), "--dry-run", "--jump-host", "no spaces allowed");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err().strip()).isEqualTo("baton: --jump-host \"no spaces allowed\" must be [USER@]HOST[:PORT]");
        } finally {
            jump.close();
        }
    }

    @Test
    @Order(9)
    void aKeyTheHostRefusesAndAStepThatFailsAreOneLineEach() throws Exception {
        Path stranger = SshKeys.generate(dir.resolve("id_stranger"), "ed25519");
        BatonCli.Run refused = install(List.of(host.address()), Map.of("--ssh-key", stranger.toString()), "--handoff-signal", "HUP");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out().strip()).isEqualTo(host.address() + ": FAILED: ssh " + System.getProperty("user.name") + "@" + host.address()
                + ":2222: the server refused the key " + stranger + " (publickey authentication failed; is its .pub in the user's authorized_keys?)");

        BatonCli.Run failed = install(List.of(host.address()), Map.of("--prefix", "/proc/baton"), "--handoff-signal", "HUP");
        assertThat(failed.code()).isEqualTo(1);
        assertThat(failed.out().strip()).startsWith(host.address() + ": FAILED: copy baton-" + dist.version + ".tar.gz")
                .contains("to /proc/baton/" + dist.version + " failed: exit 1: mkdir: cannot create directory")
                .doesNotContain("\n");
    }

    @Test
    @Order(10)
    void anAgentThatDoesNotAnswerAfterTheChangeFailsTheStatusCheck() throws Exception {
        BatonCli.Run run = install(List.of(host.address()), Map.of("--listen", "{host}:7071", "--status-timeout", "2s"),
                "--handoff-signal", "HUP", "--restart-command", "true");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out().strip()).startsWith(host.address() + ": FAILED: installed " + dist.version + " (update " + root
                        + "/etc/baton-agent/agent.args (0600, root); ran the restart command); status check failed: http://" + host.address()
                        + ":7071/v1/status does not answer: ")
                .doesNotContain("\n");
    }

    /** The packaged {@code bin/baton} run as the operator would, with {@code env} added to this JVM's environment. */
    private static dev.baton.cli.BatonCli.Run packaged(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(dist.root.resolve("bin/baton").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 5 minutes");
        }
        dev.baton.cli.BatonCli.Run run = new dev.baton.cli.BatonCli.Run(process.exitValue(), Files.readString(out), Files.readString(err));
        System.out.println(run.out() + run.err());
        return run;
    }

    @Test
    @Order(7)
    void withTheCasCertificatesTheAgentServesMutualTlsAndThePackagedBatonChecksItsStatusOverIt() throws Exception {
        LocalSshd tlsHost = LocalSshd.start(dir.resolve("sshd-tls"), network + "5", 2222, false, List.of(Path.of(key + ".pub")));
        Path tlsRoot = Files.createDirectories(dir.resolve("root-tls"));
        String config = tlsRoot + "/etc/baton-agent";
        String prefix = tlsRoot + "/opt/baton";
        try (Runsv agent = Runsv.start(dir.resolve("service/tls-agent"), prefix + "/current/bin/baton-agent @" + config + "/agent.args", true)) {
            Files.writeString(knownHosts, tlsHost.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
            Path ca = dir.resolve("ca");
            assertThat(packaged(Map.of(), "ca", "init", "--dir", ca.toString()).code()).isZero();
            assertThat(packaged(Map.of(), "ca", "agent-cert", tlsHost.address(), "--ca", ca.toString(), "--out", dir.resolve("agents").toString()).code()).isZero();
            assertThat(packaged(Map.of(), "ca", "client-cert", "installer", "--ca", ca.toString(), "--out", dir.resolve("clients").toString()).code()).isZero();
            List<String> args = List.of("agent", "install", tlsHost.address(), "--ssh-key", key.toString(), "--ssh-port", "2222",
                    "--known-hosts", knownHosts.toString(), "--dist", dist.tarball.toString(), "--token-file", tokenFile.toString(),
                    "--prefix", prefix, "--config-dir", config, "--agent-home", tlsRoot + "/var/lib/baton-agent",
                    "--ready-url", "http://{host}:8080/healthz", "--app-command", "demo-app -listen {host}:8080 -pidfile {pidfile}",
                    "--tls-dir", dir.resolve("agents").toString(), "--client-ca", ca.resolve("ca.pem").toString(),
                    "--no-systemd", "--restart-command", "sv restart " + agent.dir(), "--status-timeout", "90s");

            BatonCli.Run withoutClientCertificate = packaged(Map.of(), args.toArray(String[]::new));
            assertThat(withoutClientCertificate.code()).isEqualTo(2);
            assertThat(withoutClientCertificate.err().strip()).startsWith("baton: the agents get mutual TLS (--tls-dir): checking their /v1/status "
                    + "needs this machine's client certificate in BATON_AGENT_CA");

            Map<String, String> client = Map.of("BATON_AGENT_CA", ca.resolve("ca.pem").toString(),
                    "BATON_AGENT_CERT", dir.resolve("clients/installer.pem").toString(),
                    "BATON_AGENT_KEY", dir.resolve("clients/installer-key.pem").toString());
            BatonCli.Run run = packaged(client, args.toArray(String[]::new));

            assertThat(run.code()).as(run.out() + run.err()).isZero();
            assertThat(run.out().strip()).startsWith(tlsHost.address() + ": installed " + dist.version)
                    .contains("write " + config + "/agent-key.pem (0600, root)")
                    .endsWith("ran the restart command); /v1/status answers " + dist.version);
            assertThat(Files.readString(Path.of(config, "agent.args"))).contains("\"--tls-cert\"\n\"" + config + "/agent.pem\"\n")
                    .contains("\"--client-ca\"\n\"" + config + "/ca.pem\"\n");
            assertThat(Path.of(config, "agent-key.pem")).hasSameBinaryContentAs(dir.resolve("agents").resolve(tlsHost.address() + "-key.pem"));
            // the agent answers nobody in clear text
            try (java.net.Socket plain = new java.net.Socket(tlsHost.address(), 7070)) {
                plain.setSoTimeout(5000);
                plain.getOutputStream().write("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                byte[] reply = plain.getInputStream().readNBytes(12);
                assertThat(new String(reply)).doesNotStartWith("HTTP/1.1 200");
            } catch (IOException closed) {
                // the TLS server closed the plain connection: what is wanted
            }
            BatonCli.Run again = packaged(client, args.toArray(String[]::new));
            assertThat(again.out().strip()).isEqualTo(tlsHost.address() + ": unchanged; /v1/status answers " + dist.version);
        } finally {
            tlsHost.close();
        }
    }
}
