package dev.baton.install;

import dev.baton.rollout.StepFailure;
import dev.baton.ssh.RemoteScript;
import dev.baton.ssh.SshSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an install changes on one host: every managed file compared by sha256, mode and owner with what is there,
 * the distribution by its sha256, the {@code current} link by its target, then the service (re)started only when
 * something changed or it is not running. An empty plan is an unchanged host.
 */
final class InstallPlan {
    private static final java.time.Duration QUICK = RemoteSteps.QUICK;

    /** One change on the host: what the plan says, whether the agent must restart for it, and how it is made. */
    record Action(String what, boolean restarts, Change change) {
    }

    @FunctionalInterface
    interface Change {
        void make(SshSession ssh) throws StepFailure, InterruptedException;
    }

    /** A file the install manages: its content and who may read it. */
    private record Managed(String path, byte[] content, String mode, String owner) {
        String sha256() {
            return Tarball.sha256(content);
        }
    }

    private InstallPlan() {
    }

    /** The changes that bring the host from {@code facts} to the installed state, in the order they must be made. */
    static List<Action> of(InstallSpec spec, Tarball tarball, String host, HostFacts facts, boolean systemd, String user,
                           Map<String, byte[]> credentials, RemoteSteps steps) throws IOException {
        List<Action> actions = new ArrayList<>();
        if (!tarball.sha256().equals(facts.distSha())) {
            actions.add(new Action("copy " + tarball.file().getFileName() + " (" + (tarball.size() + 999_999) / 1_000_000 + " MB, sha256 "
                    + tarball.sha256().substring(0, 12) + ") to " + spec.releaseDir(), true, steps::copyDist));
        }
        if (systemd && !facts.serviceUserExists()) {
            if (!user.equals(InstallSpec.DEFAULT_SERVICE_USER)) {
                throw new IllegalStateException("user " + user + " does not exist on " + host + ": create it, or leave out --service-user");
            }
            actions.add(new Action("create the user " + user + " (systemd-sysusers)", true, ssh -> steps.script(ssh,
                    RemoteScript.of(InstallScripts.SYSUSERS).with("prefix", spec.prefix()).with("version", spec.version())
                            .with("service_user", user), null, QUICK)));
        }
        // the agent reads its configuration but does not own it; its home is its own
        String admin = facts.user();
        for (String[] dir : new String[][]{{spec.configDir(), admin}, {spec.agentHome(), user}}) {
            if (!facts.dirs().getOrDefault(dir[0], false)) {
                actions.add(new Action("create " + dir[0] + " (0750, " + dir[1] + ":" + user + ")", true, ssh -> steps.script(ssh,
                        RemoteScript.of(InstallScripts.MAKE_DIR).with("dir", dir[0]).with("mode", "0750").with("owner", dir[1])
                                .with("group_of", user), null, QUICK)));
            }
        }
        List<Managed> files = new ArrayList<>();
        String header = "baton-agent flags, written by \"baton agent install\" (the next install replaces this file).";
        List<String> args = spec.agentFlags().forHost(host, spec.agentHome(), spec.tokenFile(), tlsFlags(spec));
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
            actions.add(new Action(verb + file.path() + " (0" + file.mode() + ", " + file.owner() + ")", true, ssh -> steps.write(ssh, file.path(), file.content(), file.mode(), file.owner())));
        }
        if (!spec.version().equals(facts.current())) {
            actions.add(new Action("point " + spec.current() + " at " + spec.version()
                    + ("-".equals(facts.current()) ? "" : " (was " + facts.current() + ")"), true, ssh -> steps.script(ssh,
                    RemoteScript.of(InstallScripts.LINK).with("prefix", spec.prefix()).with("version", spec.version()), null, QUICK)));
        }
        if (systemd) addSystemd(actions, facts, unitChanged, steps);
        return actions;
    }

    private static void addSystemd(List<Action> actions, HostFacts facts, boolean unitChanged, RemoteSteps steps) {
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
        actions.add(new Action(String.join(", ", what), false, ssh -> steps.script(ssh, script, null, QUICK)));
    }

    private static Map<String, String> tlsFlags(InstallSpec spec) {
        Map<String, String> flags = new LinkedHashMap<>();
        if (spec.tls() == null) return flags;
        flags.put("--tls-cert", spec.configDir() + "/agent.pem");
        flags.put("--tls-key", spec.configDir() + "/agent-key.pem");
        flags.put("--client-ca", spec.configDir() + "/ca.pem");
        return flags;
    }
}
