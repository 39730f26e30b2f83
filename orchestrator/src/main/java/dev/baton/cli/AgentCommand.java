package dev.baton.cli;

import dev.baton.agentclient.AgentCredentials;
import dev.baton.install.AgentFlags;
import dev.baton.install.AgentInstaller;
import dev.baton.install.HostResult;
import dev.baton.install.InstallSpec;
import dev.baton.ssh.SshSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code baton agent install}: puts the Baton agent on hosts over SSH. */
@Command(name = "agent", description = "Baton agents on your hosts.", subcommands = AgentCommand.Install.class)
final class AgentCommand implements Runnable {
    @Override
    public void run() {
        throw new BatonMain.UserError("name a subcommand: baton agent install HOST... (see baton agent install --help)");
    }

    @Command(name = "install", sortOptions = false,
            description = {"Install the agent on each HOST over SSH: copy the distribution to PREFIX/VERSION (files compared by "
                    + "sha256), point PREFIX/current at it, write the agent's flags, token and TLS files (0600, owned by the "
                    + "agent's user), install and enable the packaged systemd unit with a drop-in, start the agent and check "
                    + "that GET /v1/status answers with VERSION. Without systemd (--no-systemd, or none running on the host) it "
                    + "prints the command to run under your supervisor, or runs --restart-command.",
                    "Idempotent: a second run changes nothing and says \"unchanged\". One line per host; exit 0 when every "
                            + "host succeeded, 1 when one failed, 2 for bad options.",
                    "Checking /v1/status over mutual TLS needs this machine's client certificate in BATON_AGENT_CA, "
                            + "BATON_AGENT_CERT and BATON_AGENT_KEY (as for baton server)."})
    static final class Install implements Callable<Integer> {
        @Parameters(paramLabel = "HOST", arity = "1..*", description = "the hosts' addresses, as Baton reaches them (SSH and the agent's API)")
        List<String> hosts;

        @Option(names = "--ssh-key", required = true, paramLabel = "FILE", description = "private key to log in with (ed25519 or RSA, no passphrase, mode 0600)")
        Path sshKey;

        @Option(names = "--ssh-user", paramLabel = "USER", description = "login name (default: your user name)")
        String sshUser = System.getProperty("user.name");

        @Option(names = "--ssh-port", paramLabel = "PORT", description = "SSH port (default: 22)")
        int sshPort = 22;

        @Option(names = "--known-hosts", paramLabel = "FILE", description = "the hosts' keys (default: ~/.ssh/known_hosts); "
                + "an unknown host is refused, a changed key always")
        Path knownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");

        @Option(names = "--accept-new-host-key", description = "record the key of a host not in --known-hosts (a changed key is still refused)")
        boolean acceptNew;

        @Option(names = "--jump-host", paramLabel = "[USER@]HOST[:PORT]", description = "connect through this bastion (ProxyJump)")
        String jumpHost;

        @Option(names = "--sudo", description = "run the remote steps through sudo -n (the login user needs password-less sudo)")
        boolean sudo;

        @Option(names = "--dist", paramLabel = "FILE", description = "the distribution, baton-VERSION.tar.gz "
                + "(default: target/dist/baton-VERSION.tar.gz from bin/package, VERSION this baton's)")
        Path dist;

        @Option(names = "--token-file", paramLabel = "FILE", description = "the agents' bearer token (default: $BATON_AGENT_TOKEN)")
        Path tokenFile;

        @Option(names = "--listen", paramLabel = "HOST:PORT", description = "the agent API's address; {host} is the HOST (default: {host}:7070)")
        String listen = "{host}:7070";

        @Option(names = "--ready-url", required = true, paramLabel = "URL", description = "the app's readiness URL, e.g. http://{host}:8080/healthz")
        String readyUrl;

        @Option(names = "--process", paramLabel = "STRATEGY", description = "who runs the app: process (the agent; needs --app-command), "
                + "systemd (--unit) or command (--stop-command, --start-command, --status-command, --reload-command); default: process")
        String process = "process";

        @Option(names = "--app-command", paramLabel = "COMMAND", description = "the app's command line under --process process ({host}, {pidfile})")
        String appCommand;

        @Option(names = "--unit", paramLabel = "NAME", description = "the app's systemd unit (--process systemd)")
        String unit;

        @Option(names = "--stop-command", paramLabel = "COMMAND", description = "--process command: stops the app, letting it drain")
        String stopCommand;

        @Option(names = "--start-command", paramLabel = "COMMAND", description = "--process command: starts the app")
        String startCommand;

        @Option(names = "--reload-command", paramLabel = "COMMAND", description = "--process command: sends the app the hand-off signal")
        String reloadCommand;

        @Option(names = "--status-command", paramLabel = "COMMAND", description = "--process command: prints the app's main pid")
        String statusCommand;

        @Option(names = "--handoff-signal", paramLabel = "SIGNAL", description = "USR2 (default) or HUP")
        String handoffSignal;

        @Option(names = "--agent-arg", paramLabel = "ARG", description = "one more agent argument, e.g. --agent-arg=--allow-hooks (repeatable)")
        List<String> agentArgs = new ArrayList<>();

        @Option(names = "--tls-dir", paramLabel = "DIR", description = "the agents' certificates from baton ca agent-cert: DIR/HOST.pem and DIR/HOST-key.pem")
        Path tlsDir;

        @Option(names = "--client-ca", paramLabel = "FILE", description = "the CA the agent accepts clients of (ca.pem); with --tls-dir")
        Path clientCa;

        @Option(names = "--prefix", paramLabel = "DIR", description = "installation root on the host: DIR/VERSION and DIR/current (default: /opt/baton)")
        String prefix = "/opt/baton";

        @Option(names = "--config-dir", paramLabel = "DIR", description = "the agent's flags, token and TLS files (default: /etc/baton-agent)")
        String configDir = "/etc/baton-agent";

        @Option(names = "--unit-dir", paramLabel = "DIR", description = "where the systemd unit goes (default: /etc/systemd/system)")
        String unitDir = "/etc/systemd/system";

        @Option(names = "--agent-home", paramLabel = "DIR", description = "the agent's --home: releases, current, app.pid (default: /var/lib/baton-agent)")
        String agentHome = "/var/lib/baton-agent";

        @Option(names = "--service-user", paramLabel = "USER", description = "who the agent runs as (default: baton-agent under systemd, "
                + "created with the packaged sysusers file; the login user without systemd)")
        String serviceUser;

        @Option(names = "--no-systemd", description = "do not use systemd: print the command for your supervisor (supervisord, runit, s6)")
        boolean noSystemd;

        @Option(names = "--restart-command", paramLabel = "COMMAND", description = "with --no-systemd: run on the host after a change "
                + "to (re)start the agent under your supervisor, e.g. 'sv restart /etc/service/baton-agent'")
        String restartCommand;

        @Option(names = "--status-timeout", paramLabel = "DURATION", description = "how long a (re)started agent has to answer (default: 60s)")
        String statusTimeout = "60s";

        @Option(names = "--dry-run", description = "print each host's planned changes and change nothing on the hosts "
                + "(it still logs in: --accept-new-host-key records a new host's key)")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            InstallSpec spec;
            AgentCredentials checking;
            try {
                Path tarball = dist != null ? dist : defaultDist();
                String token = AgentToken.read(tokenFile, "--token-file");
                if (token == null) throw new BatonMain.UserError("the agents' token: give --token-file FILE or set " + AgentToken.ENV);
                InstallSpec.Tls tls = tls();
                checking = AgentCredentials.of(token, System::getenv);
                if (tls != null && checking.tls() == null) {
                    throw new BatonMain.UserError("the agents get mutual TLS (--tls-dir): checking their /v1/status needs this machine's client "
                            + "certificate in " + AgentCredentials.CA_ENV + ", " + AgentCredentials.CERT_ENV + " and " + AgentCredentials.KEY_ENV
                            + " (baton ca client-cert NAME)");
                }
                for (String host : hosts) {
                    if (!host.matches("[A-Za-z0-9.:-]{1,253}")) throw new BatonMain.UserError("\"" + host + "\" is not a host name or IP address");
                }
                SshSettings ssh = new SshSettings(sshUser, sshPort, sshKey, knownHosts, acceptNew, jump(), Duration.ofSeconds(10));
                spec = new InstallSpec(tarball, AgentInstaller.versionOf(tarball), prefix, configDir, unitDir, agentHome, serviceUser,
                        !noSystemd, restartCommand, flags(), tls, token, sudo, ssh, dev.baton.plan.Durations.parse(statusTimeout));
            } catch (IllegalArgumentException e) {
                throw new BatonMain.UserError(e.getMessage());
            }
            AgentInstaller installer;
            try {
                installer = new AgentInstaller(spec, checking);
            } catch (IllegalArgumentException | IOException e) {
                throw new BatonMain.UserError(e.getMessage());
            }
            List<HostResult> results = installer.install(hosts, dryRun, System.out);
            long failed = results.stream().filter(r -> !r.ok()).count();
            if (failed > 0) System.err.println("baton: " + failed + " of " + results.size() + " host(s) failed");
            return failed > 0 ? BatonMain.FAILED : BatonMain.OK;
        }

        /** The agent's own rules for its strategy flags, checked here so a mistake fails before any host is touched. */
        private void checkStrategy() {
            boolean anyCommand = stopCommand != null || startCommand != null || reloadCommand != null || statusCommand != null;
            if (!process.equals("systemd") && unit != null) throw new BatonMain.UserError("--unit needs --process systemd");
            if (!process.equals("command") && anyCommand) {
                throw new BatonMain.UserError("--stop/start/reload/status-command need --process command");
            }
            if (process.equals("systemd") && unit == null) throw new BatonMain.UserError("--process systemd needs --unit NAME");
            if (process.equals("command") && (stopCommand == null || startCommand == null || statusCommand == null)) {
                throw new BatonMain.UserError("--process command needs --stop-command, --start-command and --status-command");
            }
            if (handoffSignal != null && !handoffSignal.strip().toUpperCase(java.util.Locale.ROOT).matches("(SIG)?(USR2|HUP)")) {
                throw new BatonMain.UserError("--handoff-signal must be USR2 or HUP, got \"" + handoffSignal + "\"");
            }
        }

        private AgentFlags flags() {
            checkStrategy();
            List<String> options = new ArrayList<>();
            add(options, "--unit", unit);
            add(options, "--stop-command", stopCommand);
            add(options, "--start-command", startCommand);
            add(options, "--reload-command", reloadCommand);
            add(options, "--status-command", statusCommand);
            add(options, "--handoff-signal", handoffSignal);
            options.addAll(agentArgs);
            return new AgentFlags(listen, readyUrl, appCommand, process, options);
        }

        private static void add(List<String> options, String flag, String value) {
            if (value != null) options.addAll(List.of(flag, value));
        }

        private InstallSpec.Tls tls() {
            if (tlsDir == null && clientCa == null) return null;
            if (tlsDir == null || clientCa == null) throw new BatonMain.UserError("mutual TLS for the agents needs both --tls-dir and --client-ca");
            if (!Files.isDirectory(tlsDir)) throw new BatonMain.UserError("--tls-dir " + tlsDir + " is not a directory");
            if (!Files.isRegularFile(clientCa)) throw new BatonMain.UserError("--client-ca " + clientCa + ": no such file");
            return new InstallSpec.Tls(tlsDir, clientCa);
        }

        private SshSettings.Endpoint jump() {
            if (jumpHost == null) return null;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:([a-z_][a-z0-9_.-]{0,31})@)?([A-Za-z0-9.-]{1,253})(?::(\\d{1,5}))?")
                    .matcher(jumpHost);
            if (!m.matches()) throw new BatonMain.UserError("--jump-host \"" + jumpHost + "\" must be [USER@]HOST[:PORT]");
            return new SshSettings.Endpoint(m.group(2), m.group(3) == null ? sshPort : Integer.parseInt(m.group(3)),
                    m.group(1) == null ? sshUser : m.group(1));
        }

        /** The version Maven recorded in baton.jar; null when run from classes. */
        private static String ownVersion() {
            try (java.io.InputStream in = Install.class.getResourceAsStream("/META-INF/maven/dev.baton/baton-orchestrator/pom.properties")) {
                if (in == null) return null;
                java.util.Properties properties = new java.util.Properties();
                properties.load(in);
                return properties.getProperty("version");
            } catch (IOException e) {
                return null;
            }
        }

        /** bin/package's output for this baton's own version. */
        private static Path defaultDist() {
            String version = ownVersion();
            Path candidate = version == null ? null : Path.of("target", "dist", "baton-" + version + ".tar.gz");
            if (candidate == null || !Files.isRegularFile(candidate)) {
                throw new BatonMain.UserError("no distribution" + (candidate == null ? "" : " at " + candidate)
                        + ": run bin/package or give --dist FILE");
            }
            return candidate;
        }
    }
}
