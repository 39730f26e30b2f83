package dev.baton.install;

import dev.baton.cli.BatonCli;
import dev.baton.dist.Distribution;
import dev.baton.fleet.SshKeys;
import dev.baton.ssh.SshConnector;
import dev.baton.ssh.SshSession;
import dev.baton.ssh.SshSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code baton agent install} with its defaults (/opt/baton, /etc/baton-agent, /etc/systemd/system, the baton-agent
 * user) onto a bare host running systemd: a Debian root booted with systemd-nspawn, reached over its own sshd.
 */
class SystemdAgentInstallTest {
    @TempDir
    Path tmp;

    @Test
    void aBareSystemdHostGetsTheUserTheUnitAndARunningAgentThenAReRunChangesNothing() throws Exception {
        SystemdSshHost.requireTools();
        Distribution dist = Distribution.get();
        Path key = SshKeys.generate(tmp.resolve("id_ed25519"), "ed25519");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String address = "127." + random.nextInt(200, 250) + "." + random.nextInt(1, 255) + ".7";
        Path token = tmp.resolve("agent.token");
        Files.createFile(token, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(token, "systemd-install-" + Long.toHexString(random.nextLong()));
        try (SystemdSshHost host = SystemdSshHost.boot(Files.createDirectories(tmp.resolve("host")), address, Path.of(key + ".pub"))) {
            Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), host.knownHostsLine() + "\n");
            List<String> args = new ArrayList<>(List.of("agent", "install", address, "--ssh-key", key.toString(), "--ssh-user", "root",
                    "--ssh-port", Integer.toString(SystemdSshHost.SSH_PORT), "--known-hosts", knownHosts.toString(),
                    "--dist", dist.tarball.toString(), "--token-file", token.toString(), "--ready-url", "http://{host}:8080/healthz",
                    "--app-command", "demo-app -listen {host}:8080 -pidfile {pidfile}", "--status-timeout", "120s"));

            BatonCli.Run dry = run(args, "--dry-run");
            assertThat(dry.code()).as(dry.out() + dry.err()).isZero();
            assertThat(dry.out()).startsWith(address + ": 10 changes planned (dry run, nothing done):")
                    .contains("  - create the user baton-agent (systemd-sysusers)\n")
                    .contains("  - systemctl daemon-reload, enable baton-agent.service, start baton-agent.service");

            BatonCli.Run first = run(args);
            assertThat(first.code()).as(first.out() + first.err()).isZero();
            assertThat(first.out().strip()).startsWith(address + ": installed " + dist.version + " (copy baton-" + dist.version + ".tar.gz")
                    .contains("write /etc/systemd/system/baton-agent.service (0644, root)")
                    .contains("write /etc/systemd/system/baton-agent.service.d/baton-install.conf (0644, root)")
                    .contains("write /etc/baton-agent/agent.token (0600, baton-agent)")
                    .endsWith("systemctl daemon-reload, enable baton-agent.service, start baton-agent.service); /v1/status answers " + dist.version);

            SshSettings ssh = new SshSettings("root", SystemdSshHost.SSH_PORT, key, knownHosts, false, null, Duration.ofSeconds(10));
            try (SshSession session = new SshConnector(ssh).open(address)) {
                SshSession.Result unit = session.exec("systemctl show -p ActiveState,User,UnitFileState,DropInPaths baton-agent.service;"
                        + " ps -o user= -p \"$(systemctl show -p MainPID --value baton-agent.service)\"", Duration.ofSeconds(20));
                assertThat(unit.stdout()).as(unit.stderr()).contains("ActiveState=active", "User=baton-agent", "UnitFileState=enabled",
                        "baton-install.conf").endsWith("baton-agent\n");
                SshSession.Result modes = session.exec("stat -c '%a %U:%G %n' /etc/baton-agent /etc/baton-agent/agent.token "
                        + "/etc/baton-agent/agent.args /var/lib/baton-agent", Duration.ofSeconds(20));
                assertThat(modes.stdout().lines()).containsExactly("750 root:baton-agent /etc/baton-agent",
                        "600 baton-agent:baton-agent /etc/baton-agent/agent.token", "600 baton-agent:baton-agent /etc/baton-agent/agent.args",
                        "750 baton-agent:baton-agent /var/lib/baton-agent");
            }

            BatonCli.Run again = run(args);
            assertThat(again.code()).as(again.out() + again.err()).isZero();
            assertThat(again.out().strip()).isEqualTo(address + ": unchanged; /v1/status answers " + dist.version);
        }
    }

    private static BatonCli.Run run(List<String> args, String... extra) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(extra));
        BatonCli.Run run = BatonCli.run(all.toArray(String[]::new));
        System.out.println(run.out() + run.err());
        return run;
    }
}
