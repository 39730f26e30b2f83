package dev.baton.plan;

import java.time.Duration;
import java.util.regex.Pattern;

/** Reads and checks the plan's {@code ssh:} section, used by {@code restart.via: ssh} (hosts without an agent). */
final class SshSection {
    private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    private static final Pattern ABSOLUTE = Pattern.compile("/[^\\s\\x00]{0,500}");
    private static final Pattern READY_URL = Pattern.compile("https?://[^\\s]{1,2000}");
    private static final String SIGNAL = "signal";

    private SshSection() {
    }

    static Plan.Ssh read(Section plan, Plan.RestartVia via, Node root) {
        if (via != Plan.RestartVia.SSH) {
            if (plan.has("ssh")) throw PlanException.at(plan.field("ssh"), "is used only with restart.via: ssh");
            return null;
        }
        if (!plan.has("ssh")) {
            throw new PlanException(root.where() + ": ssh: is required with restart.via: ssh "
                    + "(user, identityFile, knownHosts and app: { root, start, readyUrl })");
        }
        Section ssh = plan.section("ssh");
        String user = ssh.required("user", USER, "a login name like deploy");
        int port = ssh.integer("port", 22, 1, 65535);
        String identityFile = ssh.required("identityFile", ABSOLUTE, "the absolute path of the private key (ed25519 or RSA)");
        String knownHosts = ssh.required("knownHosts", ABSOLUTE, "the absolute path of the known_hosts file");
        Plan.UnknownHosts unknownHosts = ssh.option("unknownHosts", Plan.UnknownHosts.REFUSE, Plan.UnknownHosts.values());
        Duration connectTimeout = ssh.duration("connectTimeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(2));
        Plan.SshJump jump = null;
        if (ssh.has("jumpHost")) {
            Section jumpHost = ssh.section("jumpHost");
            jump = new Plan.SshJump(jumpHost.required("host", PlanLoader.HOST, "the jump host's address like bastion.example.com"),
                    jumpHost.integer("port", port, 1, 65535),
                    jumpHost.optional("user", user, USER, "a login name like deploy"));
            jumpHost.done();
        }
        Plan.SshApp app = app(ssh.section("app"), ssh);
        boolean allowHooks = ssh.oneOf("allowHooks", "false", java.util.List.of("true", "false")).equals("true");
        ssh.done();
        return new Plan.Ssh(user, port, identityFile, knownHosts, unknownHosts, jump, connectTimeout, app, allowHooks);
    }

    private static Plan.SshApp app(Section app, Section ssh) {
        if (!ssh.has("app")) {
            throw PlanException.at(ssh.node(), "ssh.app: is required (root, start, readyUrl; stop: signal or a command)");
        }
        String root = app.required("root", ABSOLUTE, "the absolute directory holding releases/ and current, like /opt/web");
        String start = app.required("start", PlanLoader.COMMAND, "the command that runs the app from root/current");
        String stop = app.optional("stop", SIGNAL, PlanLoader.COMMAND, "signal, or the command that stops the app");
        String pid = app.optional("pid", null, PlanLoader.COMMAND, "a command printing the app's pid");
        if (pid != null && stop.equals(SIGNAL)) {
            throw PlanException.at(app.field("pid"), "is only for stop commands; with stop: signal Baton keeps the pid itself");
        }
        String readyUrl = app.required("readyUrl", READY_URL, "the URL that answers 2xx once the app is ready, like http://{host}:8080/healthz");
        app.done();
        return new Plan.SshApp(root, start, stop.equals(SIGNAL) ? null : stop, pid, readyUrl);
    }

    /** Checks what the ssh mode cannot do against the rest of the plan. */
    static void checkAgainst(Plan.Ssh ssh, Section plan, Plan.Drain drain, Plan.Hooks hooks) {
        if (ssh == null) return;
        if (drain.propagation().verify().contains(Plan.PropagationCheck.TRAFFIC)) {
            Node verify = plan.section("drain").section("propagation").field("verify");
            throw PlanException.at(verify, "traffic is measured by the agent; with restart.via: ssh use consul and loadBalancer");
        }
        if (!ssh.allowHooks() && !(hooks.beforeHost().isEmpty() && hooks.afterHost().isEmpty())) {
            Node at = plan.section("hooks").field(hooks.beforeHost().isEmpty() ? "afterHost" : "beforeHost");
            throw PlanException.at(at, "host hooks run over SSH only with ssh.allowHooks: true");
        }
    }
}
