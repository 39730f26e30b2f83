package dev.baton.ssh;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.wiring.Adapters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** restart.via: ssh and the ssh section: defaults, and one-line errors for what cannot work. */
class SshPlanTest {
    private static final String BASE = """
            service: web
            version: 2.0.0
            artifact: { url: "http://artifacts.local/web-{version}.tar.gz", sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 }
            targets: { hosts: [10.0.0.1, 10.0.0.2] }
            drain: { propagation: { verify: [consul] } }
            restart: { via: ssh }
            """;
    private static final String SSH = """
            ssh:
              user: deploy
              identityFile: /etc/baton/id_ed25519
              knownHosts: /etc/baton/known_hosts
              app:
                root: /opt/web/{host}
                start: 'exec ./web -listen "$BATON_HOST:8080"'
                readyUrl: "http://{host}:8080/healthz"
            """;

    private static Plan load(String text) {
        return new PlanLoader().parse("p.yaml", text);
    }

    @Test
    void readsTheSshSectionWithDefaults() {
        Plan plan = load(BASE + SSH);
        assertThat(plan.restart().via()).isEqualTo(Plan.RestartVia.SSH);
        Plan.Ssh ssh = plan.ssh();
        assertThat(ssh.user()).isEqualTo("deploy");
        assertThat(ssh.port()).isEqualTo(22);
        assertThat(ssh.unknownHosts()).isEqualTo(Plan.UnknownHosts.REFUSE);
        assertThat(ssh.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(ssh.jumpHost()).isNull();
        assertThat(ssh.allowHooks()).isFalse();
        assertThat(ssh.app().batonRunsApp()).isTrue();
        assertThat(ssh.app().root()).isEqualTo("/opt/web/{host}");
        assertThat(Adapters.hostControl(plan, new okhttp3.OkHttpClient(), new dev.baton.agentclient.AgentCredentials(null, null))).isInstanceOf(SshHostControl.class);
    }

    @Test
    void readsJumpHostAcceptNewAndASupervisor() {
        Plan plan = load(BASE + SSH.replace("  app:\n", """
                  port: 2222
                  unknownHosts: accept-new
                  jumpHost: { host: bastion.example.com }
                  allowHooks: true
                  app:
                    stop: "sudo systemctl stop web"
                    pid: "systemctl show -p MainPID --value web"
                """));
        assertThat(plan.ssh().unknownHosts()).isEqualTo(Plan.UnknownHosts.ACCEPT_NEW);
        assertThat(plan.ssh().jumpHost()).isEqualTo(new Plan.SshJump("bastion.example.com", 2222, "deploy"));
        assertThat(plan.ssh().app().stop()).isEqualTo("sudo systemctl stop web");
        assertThat(plan.ssh().app().batonRunsApp()).isFalse();
        assertThat(plan.ssh().allowHooks()).isTrue();
    }

    @Test
    void agentPlansHaveNoSshSectionAndKeepTheAgent() {
        Plan plan = load(BASE.replace("restart: { via: ssh }\n", ""));
        assertThat(plan.restart().via()).isEqualTo(Plan.RestartVia.AGENT);
        assertThat(plan.ssh()).isNull();
        assertThat(Adapters.hostControl(plan, new okhttp3.OkHttpClient(), new dev.baton.agentclient.AgentCredentials(null, null))).isNotInstanceOf(SshHostControl.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no ssh section|restart: { via: ssh }|restart: { via: ssh }|ssh: is required with restart.via: ssh",
            "ssh without via|restart: { via: ssh }|restart: { via: agent }|ssh: is used only with restart.via: ssh",
            "via typo|via: ssh|via: scp|restart.via: \"scp\" is not one of agent, ssh",
            "handoff|via: ssh|via: ssh, strategy: handoff|handoff needs the agent",
            "traffic|verify: [consul]|verify: [consul, traffic]|traffic is measured by the agent",
            "relative key|identityFile: /etc/baton/id_ed25519|identityFile: id_ed25519|ssh.identityFile: \"id_ed25519\" is not valid",
            "no known hosts|  knownHosts: /etc/baton/known_hosts\\n|\\n|ssh.knownHosts: is required",
            "bad policy|user: deploy|user: deploy\\n  unknownHosts: no|ssh.unknownHosts: \"no\" is not one of refuse, accept-new",
            "bad user|user: deploy|user: \"de ploy\"|ssh.user: \"de ploy\" is not valid",
            "no ready url|    readyUrl: \"http://{host}:8080/healthz\"\\n|\\n|ssh.app.readyUrl: is required",
            "pid with signal|    root: /opt/web/{host}|    root: /opt/web/{host}\\n    pid: cat /run/web.pid|ssh.app.pid: is only for stop commands",
            "unknown field|user: deploy|user: deploy\\n  password: hunter2|ssh.password: unknown field",
            "hooks not allowed|restart: { via: ssh }|restart: { via: ssh }\\nhooks: { beforeHost: [uptime] }|host hooks run over SSH only with ssh.allowHooks: true",
    })
    void refusesWithOneLine(String name, String from, String to, String message) {
        String text = (BASE + (name.equals("no ssh section") ? "" : SSH)).replace(from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        assertThatThrownBy(() -> load(text))
                .isInstanceOf(PlanException.class)
                .hasMessageContaining(message)
                .hasMessageStartingWith("p.yaml:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
