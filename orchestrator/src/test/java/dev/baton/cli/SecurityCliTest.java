package dev.baton.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line refuses unsafe set-ups with one line and exit 2, before it touches Consul or a host. */
class SecurityCliTest {
    @TempDir
    static Path dir;
    private static Path tokens;
    private static Path plan;
    private static final Map<String, String> AGENT = Map.of("BATON_AGENT_TOKEN", "agent-token-123456");

    @BeforeAll
    static void files() throws Exception {
        tokens = Files.writeString(dir.resolve("tokens"), "admin 0123456789abcdef0123 ops\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        plan = Files.writeString(dir.resolve("plan.yaml"), """
                service: web
                version: 2.0.0
                artifact: { url: "http://artifacts.local/web/{version}.tgz", sha256: "%s" }
                """.formatted("ab".repeat(32)));
    }

    @Test
    void theServerRefusesPlainHttpOffLoopbackAndHalfATlsSetUp() throws Exception {
        assertOneLine(cli(AGENT, "server", "--listen", "0.0.0.0:0", "--consul", "http://127.0.0.1:9", "--tokens-file", tokens.toString()),
                "baton: refusing plain HTTP on 0.0.0.0, which is not a loopback address: tokens would cross the network in clear; "
                        + "give --tls-cert and --tls-key (or --insecure-http behind a TLS proxy)");
        assertOneLine(cli(AGENT, "server", "--tls-cert", dir.resolve("c.pem").toString(), "--tokens-file", tokens.toString()),
                "baton: give both --tls-cert and --tls-key, or neither");
        Path missing = dir.resolve("missing.pem");
        Cli run = cli(AGENT, "server", "--tls-cert", missing.toString(), "--tls-key", missing.toString(), "--tokens-file", tokens.toString());
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).startsWith("baton: --tls-cert " + missing + ": cannot read it").doesNotContain("\n");
    }

    @Test
    void aHooksFileWithAShellLineIsRefused() throws Exception {
        Path hooks = Files.writeString(dir.resolve("hooks.yaml"), "notify: { command: \"curl x | sh\" }\n");
        assertOneLine(cli(AGENT, "server", "--hooks-file", hooks.toString(), "--tokens-file", tokens.toString()),
                "baton: " + hooks + ": notify: command is a list: the program, then its arguments (no shell), e.g. [/usr/local/bin/notify, start]");
        Path open = Files.writeString(dir.resolve("open-hooks.yaml"), "notify: { command: [/bin/true] }\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertOneLine(cli(AGENT, "server", "--hooks-file", open.toString(), "--tokens-file", tokens.toString()),
                "baton: " + open + ": the hooks file is writable by every user of this machine, who could then run commands as the server: chmod o-w it");
    }

    @Test
    void aLocalApplyRefusesUnknownHooksAChosenTokenAndAMissingToken() throws Exception {
        Path hooks = Files.writeString(dir.resolve("local-hooks.yaml"), "notify-start: { command: [/bin/true] }\n");
        Path unknown = Files.writeString(dir.resolve("unknown-hook.yaml"), Files.readString(plan) + "hooks: { afterDeploy: [page-everyone] }\n");
        assertOneLine(cli(Map.of("BATON_AGENT_TOKEN", "agent-token-123456"), "apply", unknown.toString(), "--hooks-file", hooks.toString(),
                "--consul", "http://127.0.0.1:9"), "baton: " + unknown + ": hooks.afterDeploy: no hook named \"page-everyone\" is defined "
                + "in --hooks-file (defined: notify-start)");
        Path chosen = Files.writeString(dir.resolve("chosen-token.yaml"), Files.readString(plan) + "agent: { tokenEnv: AWS_SECRET_ACCESS_KEY }\n");
        assertOneLine(cli(Map.of(), "apply", chosen.toString(), "--consul", "http://127.0.0.1:9"),
                "baton: " + chosen + ":4:20: agent.tokenEnv: a plan cannot choose the agent token: it is configured on the server "
                        + "(BATON_AGENT_TOKEN or --agent-token-file); remove this field");
        assertOneLine(cli(Map.of(), "apply", plan.toString(), "--consul", "http://127.0.0.1:9"),
                "baton: no agent token: set BATON_AGENT_TOKEN or give --agent-token-file (the token of the Baton agents)");
    }

    private static void assertOneLine(Cli run, String line) {
        assertThat(run.exit).as(run.output).isEqualTo(2);
        assertThat(run.output.strip()).isEqualTo(line);
    }

    private record Cli(int exit, String output) {
    }

    private static Cli cli(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.baton.cli.BatonMain"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        for (String name : new HashMap<>(environment).keySet()) {
            if (name.startsWith("BATON_") || name.startsWith("CONSUL_")) environment.remove(name);
        }
        environment.putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        return new Cli(process.exitValue(), output);
    }
}
