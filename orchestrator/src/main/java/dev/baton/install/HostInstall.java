package dev.baton.install;

import dev.baton.rollout.StepFailure;
import dev.baton.ssh.RemoteScript;
import dev.baton.ssh.SshConnector;
import dev.baton.ssh.SshSession;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
    private static final Duration QUICK = Duration.ofSeconds(60);
    private static final Duration COPY = Duration.ofMinutes(10);

    /** One change on the host: what the plan says, and how it is made. */
    private record Action(String what, boolean restarts, Change change) {
    }

    @FunctionalInterface
    private interface Change {
        void make(SshSession ssh) throws StepFailure, InterruptedException;
    }

    /** A file the install manages: its content and who may read it. */
    private record Managed(String path, byte[] content, String mode, String owner) {
        String sha256() {
            return Tarball.sha256(content);
        }
    }

    private final InstallSpec spec;
    private final Tarball tarball;
    private final SshConnector connector;
    private final StatusCheck status;
    private final String host;

    HostInstall(InstallSpec spec, Tarball tarball, SshConnector connector, StatusCheck status, String host) {
        this.spec = spec;
        this.tarball = tarball;
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
                List<Action> actions = plan(facts, systemd, user, credentials);
                String note = spec.systemd() && !facts.systemd() ? "no systemd running on the host, " : "";
                if (dryRun) return HostResult.planned(host, note, actions.stream().map(Action::what).toList());
                for (Action action : actions) action.change().make(ssh);
                boolean changed = actions.stream().anyMatch(Action::restarts);
                List<String> done = actions.stream().map(Action::what).toList();
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
        if (!result.ok()) throw new StepFailure("cannot inspect " + host + ": " + describe(result));
        return HostFacts.parse(result.stdout());
    }

    private List<Action> plan(HostFacts facts, boolean systemd, String user, Map<String, byte[]> credentials) throws IOException {
        List<Action> actions = new ArrayList<>();
        if (!tarball.sha256().equals(facts.distSha())) {
            actions.add(new Action("copy " + tarball.file().getFileName() + " (" + (tarball.size() + 999_999) / 1_000_000 + " MB, sha256 "
                    + tarball.sha256().substring(0, 12) + ") to " + spec.releaseDir(), true, this::copyDist));
        }
        if (systemd && !facts.serviceUserExists()) {
            if (!user.equals(InstallSpec.DEFAULT_SERVICE_USER)) {
                throw new IllegalStateException("user " + user + " does not exist on " + host + ": create it, or leave out --service-user");
            }
            actions.add(new Action("create the user " + user + " (systemd-sysusers)", true, ssh -> script(ssh,
                    RemoteScript.of(InstallScripts.SYSUSERS).with("prefix", spec.prefix()).with("version", spec.version())
                            .with("service_user", user), null, QUICK)));
        }
        // the agent reads its configuration but does not own it; its home is its own
        String admin = facts.user();
        for (String[] dir : new String[][]{{spec.configDir(), admin}, {spec.agentHome(), user}}) {
            if (!facts.dirs().getOrDefault(dir[0], false)) {
                actions.add(new Action("create " + dir[0] + " (0750, " + dir[1] + ":" + user + ")", true, ssh -> script(ssh,
                        RemoteScript.of(InstallScripts.MAKE_DIR).with("dir", dir[0]).with("mode", "0750").with("owner", dir[1])
                                .with("group_of", user), null, QUICK)));
            }
        }
        List<Managed> files = new ArrayList<>();
        String header = "baton-agent flags, written by \"baton agent install\" (the next install replaces this file).";
        List<String> args = spec.agentFlags().forHost(host, spec.agentHome(), spec.tokenFile(), tlsFlags());
        files.add(new Managed(spec.argsFile(), ArgumentFile.of(header, args).getBytes(StandardCharsets.UTF_8), "600", user));
        files.add(new Managed(spec.tokenFile(), (spec.token() + "\n").getBytes(StandardCharsets.UTF_8), "600", user));
        credentials.forEach((name, content) -> files.add(new Managed(spec.configDir() + "/" + name, content, "600", user)));
        boolean unitChanged = false;
        if (systemd) {
            String root = facts.user().equals("root") || spec.sudo() ? "root" : facts.user();
            List<Managed> units = List.of(new Managed(AgentUnit.unitPath(spec), tarball.read("systemd/" + InstallSpec.UNIT), "644", root),
                    new Managed(AgentUnit.dropInPath(spec), AgentUnit.dropIn(spec, user).getBytes(StandardCharsets.UTF_8), "644", root));
            for (Managed unit : units) unitChanged |= !facts.file(unit.path()).matches(unit.sha256(), unit.mode(), unit.owner());
            files.addAll(units);
        }
        for (Managed file : files) {
            if (facts.file(file.path()).matches(file.sha256(), file.mode(), file.owner())) continue;
            String verb = facts.file(file.path()).sha256() == null ? "write " : file.sha256().equals(facts.file(file.path()).sha256()) ? "fix the mode/owner of " : "update ";
            actions.add(new Action(verb + file.path() + " (0" + file.mode() + ", " + file.owner() + ")", true, ssh -> write(ssh, file)));
        }
        if (!spec.version().equals(facts.current())) {
            actions.add(new Action("point " + spec.current() + " at " + spec.version()
                    + ("-".equals(facts.current()) ? "" : " (was " + facts.current() + ")"), true, ssh -> script(ssh,
                    RemoteScript.of(InstallScripts.LINK).with("prefix", spec.prefix()).with("version", spec.version()), null, QUICK)));
        }
        if (systemd) addSystemd(actions, facts, unitChanged);
        return actions;
    }

    private void addSystemd(List<Action> actions, HostFacts facts, boolean unitChanged) {
        boolean changed = !actions.isEmpty();
        boolean enable = !facts.enabled().equals("enabled");
        boolean start = changed || !facts.active().equals("active");
        if (!unitChanged && !enable && !start) return;
        List<String> what = new ArrayList<>();
        if (unitChanged) what.add("systemctl daemon-reload");
        if (enable) what.add("enable " + InstallSpec.UNIT);
        what.add((changed && facts.active().equals("active") ? "restart " : "start ") + InstallSpec.UNIT);
        RemoteScript script = RemoteScript.of(InstallScripts.SYSTEMD).with("unit", InstallSpec.UNIT)
                .with("reload", unitChanged ? "yes" : "no").with("enable", enable ? "yes" : "no").with("restart", changed ? "yes" : "no");
        actions.add(new Action(String.join(", ", what), false, ssh -> script(ssh, script, null, QUICK)));
    }

    private void copyDist(SshSession ssh) throws StepFailure, InterruptedException {
        RemoteScript copy = RemoteScript.of(InstallScripts.COPY_DIST).with("prefix", spec.prefix())
                .with("version", spec.version()).with("sha", tarball.sha256());
        try (InputStream in = Files.newInputStream(tarball.file())) {
            script(ssh, copy, in, COPY);
        } catch (IOException e) {
            throw new StepFailure("cannot read " + tarball.file() + ": " + e.getMessage());
        }
    }

    private void write(SshSession ssh, Managed file) throws StepFailure, InterruptedException {
        script(ssh, RemoteScript.of(InstallScripts.WRITE_FILE).with("path", file.path()).with("mode", file.mode())
                .with("owner", file.owner()), new ByteArrayInputStream(file.content()), QUICK);
    }

    private void script(SshSession ssh, RemoteScript script, InputStream stdin, Duration limit) throws StepFailure, InterruptedException {
        SshSession.Result result = ssh.run(script, stdin == null ? InputStream.nullInputStream() : stdin, spec.sudo(), limit);
        if (!result.ok()) throw new StepFailure(describe(result));
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
            if (!result.ok()) throw new StepFailure("--restart-command failed: " + describe(result));
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

    private static String describe(SshSession.Result result) {
        if (result.timedOut()) return "timed out";
        String line = result.lastLine();
        return "exit " + result.exitCode() + (line.isEmpty() ? "" : ": " + line);
    }
}
