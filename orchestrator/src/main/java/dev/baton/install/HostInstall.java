package dev.baton.install;

import dev.baton.rollout.StepFailure;
import dev.baton.ssh.RemoteScript;
import dev.baton.ssh.SshConnector;
import dev.baton.ssh.SshSession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Installs the agent on one host: reads what is there, plans the changes (files compared by sha256, mode and owner),
 * and, unless it is a dry run, makes them, (re)starts the agent and checks its {@code /v1/status}.
 */
final class HostInstall {
    private static final Duration QUICK = RemoteSteps.QUICK;

    private final InstallSpec spec;
    private final Tarball tarball;
    private final RemoteSteps steps;
    private final SshConnector connector;
    private final StatusCheck status;
    private final String host;

    HostInstall(InstallSpec spec, Tarball tarball, SshConnector connector, StatusCheck status, String host) {
        this.spec = spec;
        this.tarball = tarball;
        this.steps = new RemoteSteps(spec, tarball);
        this.connector = connector;
        this.status = status;
        this.host = host;
    }

    HostResult run(boolean dryRun) throws InterruptedException {
        try {
            Map<String, byte[]> credentials = credentials();
            try (SshSession ssh = connector.open(host)) {
                HostFacts facts = inspect(ssh, credentials);
                boolean systemd = spec.systemd() && facts.systemd();
                String user = spec.serviceUser() != null ? spec.serviceUser() : systemd ? InstallSpec.DEFAULT_SERVICE_USER : facts.login();
                if (!facts.java()) {
                    return HostResult.failed(host, "no java on the login PATH of " + host + ": install Java 17 or newer (Debian: openjdk-17-jre-headless)");
                }
                List<InstallPlan.Action> actions = InstallPlan.of(spec, tarball, host, facts, systemd, user, credentials, steps);
                String note = spec.systemd() && !facts.systemd() ? "no systemd running on the host, " : "";
                if (dryRun) return HostResult.planned(host, note, actions.stream().map(InstallPlan.Action::what).toList());
                List<String> done = new ArrayList<>();
                for (InstallPlan.Action action : actions) {
                    try {
                        action.change().make(ssh);
                    } catch (StepFailure e) {
                        throw new StepFailure((done.isEmpty() ? "" : "after " + String.join("; ", done) + ": ") + action.what() + " failed: " + e.getMessage());
                    }
                    done.add(action.what());
                }
                boolean changed = actions.stream().anyMatch(InstallPlan.Action::restarts);
                return systemd ? checkStarted(done, note) : underSupervisor(ssh, facts, user, changed, done, note);
            }
        } catch (StepFailure e) {
            // the SSH layer names the plan's setting for accept-new; here it is a command-line option
            return HostResult.failed(host, e.getMessage().replace("set ssh.unknownHosts: accept-new", "give --accept-new-host-key"));
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            return HostResult.failed(host, e.getMessage());
        }
    }

    /** The agent's TLS files from this machine, by their name on the host; none without TLS. */
    private Map<String, byte[]> credentials() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (spec.tls() == null) return files;
        java.nio.file.Path cert = spec.tls().certificateDir().resolve(host + ".pem");
        java.nio.file.Path key = spec.tls().certificateDir().resolve(host + "-key.pem");
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
            throw new IOException("no certificate for " + host + " in " + spec.tls().certificateDir() + " (" + cert.getFileName() + ", "
                    + key.getFileName() + "): baton ca agent-cert " + host + " --ca CA_DIR --out " + spec.tls().certificateDir());
        }
        files.put("agent.pem", Files.readAllBytes(cert));
        files.put("agent-key.pem", Files.readAllBytes(key));
        files.put("ca.pem", Files.readAllBytes(spec.tls().clientCa()));
        return files;
    }

    private Map<String, String> tlsFlags() {
        Map<String, String> flags = new LinkedHashMap<>();
        if (spec.tls() == null) return flags;
        flags.put("--tls-cert", spec.configDir() + "/agent.pem");
        flags.put("--tls-key", spec.configDir() + "/agent-key.pem");
        flags.put("--client-ca", spec.configDir() + "/ca.pem");
        return flags;
    }

    private List<String> managedPaths(Map<String, byte[]> credentials) {
        List<String> paths = new ArrayList<>(List.of(spec.argsFile(), spec.tokenFile()));
        credentials.keySet().forEach(name -> paths.add(spec.configDir() + "/" + name));
        if (spec.systemd()) paths.addAll(List.of(AgentUnit.unitPath(spec), AgentUnit.dropInPath(spec)));
        return paths;
    }

    private HostFacts inspect(SshSession ssh, Map<String, byte[]> credentials) throws StepFailure, InterruptedException {
        RemoteScript facts = RemoteScript.of(InstallScripts.FACTS)
                .with("prefix", spec.prefix()).with("version", spec.version())
                .with("config_dir", spec.configDir()).with("home", spec.agentHome())
                .with("service_user", spec.serviceUser() != null ? spec.serviceUser() : InstallSpec.DEFAULT_SERVICE_USER)
                .with("use_systemd", spec.systemd() ? "yes" : "no").with("unit", InstallSpec.UNIT)
                .with("files", String.join("\n", managedPaths(credentials)));
        SshSession.Result result = ssh.run(facts, InputStream.nullInputStream(), spec.sudo(), QUICK);
        if (!result.ok()) throw new StepFailure("cannot inspect " + host + ": " + RemoteSteps.describe(result));
        return HostFacts.parse(result.stdout());
    }

    /** After systemd (re)started the agent: it must answer with the installed version. */
    private HostResult checkStarted(List<String> done, String note) throws InterruptedException {
        StatusCheck.Answer answer = status.await(host, spec.agentFlags().port(), spec.version(), spec.statusTimeout());
        return verdict(answer, done, note, null);
    }

    /**
     * Without systemd: the operator's restart command runs after a change (or when the agent does not answer); without
     * one, the result names the command to run under the supervisor.
     */
    private HostResult underSupervisor(SshSession ssh, HostFacts facts, String user, boolean changed, List<String> done, String note)
            throws StepFailure, InterruptedException {
        String command = "start it under your supervisor as " + user + ": " + spec.agentCommand();
        StatusCheck.Answer now = status.ask(host, spec.agentFlags().port());
        if (spec.restartCommand() != null && (changed || !now.answered())) {
            RemoteScript restart = RemoteScript.of(InstallScripts.RESTART_COMMAND).with("command", spec.restartCommand())
                    .with("limit", Long.toString(QUICK.toSeconds()));
            SshSession.Result result = ssh.run(restart, InputStream.nullInputStream(), spec.sudo(), QUICK.plus(Duration.ofSeconds(10)));
            if (!result.ok()) throw new StepFailure("--restart-command failed: " + RemoteSteps.describe(result));
            List<String> all = new ArrayList<>(done);
            all.add("ran the restart command");
            return verdict(status.await(host, spec.agentFlags().port(), spec.version(), spec.statusTimeout()), all, note, null);
        }
        if (!now.answered()) {
            return HostResult.ok(host, summary(done, note) + "; the agent is not running: " + command);
        }
        String pending = changed ? "restart it under your supervisor to apply the change: " + spec.agentCommand() : null;
        return verdict(now, done, note, pending);
    }

    private HostResult verdict(StatusCheck.Answer answer, List<String> done, String note, String pending) {
        if (!answer.answered()) return HostResult.failed(host, summary(done, note) + "; status check failed: " + answer.problem());
        if (!spec.version().equals(answer.version())) {
            return HostResult.failed(host, summary(done, note) + "; status check failed: the agent answers as " + answer.version()
                    + ", expected " + spec.version() + (pending == null ? "" : "; " + pending));
        }
        return HostResult.ok(host, summary(done, note) + "; /v1/status answers " + answer.version() + (pending == null ? "" : "; " + pending));
    }

    private String summary(List<String> done, String note) {
        return done.isEmpty() ? note + "unchanged" : note + "installed " + spec.version() + " (" + String.join("; ", done) + ")";
    }


}
