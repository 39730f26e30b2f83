package dev.baton.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compose images' entrypoints, run outside Docker: {@code curl}, {@code hostname}, {@code install} and
 * {@code setpriv} are recording stubs on PATH (no container, no root switch here), the secrets come from a scratch
 * directory. What they would register in Consul is checked as JSON; the command lines they would exec are then run
 * for real against the packaged jars.
 */
class ComposeEntrypointsTest {
    /** Scratch space of one test, removed after it. */
    @TempDir
    Path tmp;
    private static final String TOKEN = "compose-test-token-0123456789";
    private static Distribution dist;
    private static Path repo;

    @BeforeAll
    static void build() throws Exception {
        dist = Distribution.get();
        repo = dist.repo;
    }

    /** A scratch dir with stubs recording their argv (NUL-separated) and environment, and a secrets dir. */
    private Path sandbox(boolean withSecrets) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "baton-entrypoint");
        Path stubs = Files.createDirectories(dir.resolve("stubs"));
        String record = "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done >\"$STUB_LOG/$(basename \"$0\").args\"\n"
                + "env >\"$STUB_LOG/$(basename \"$0\").env\"\n";
        for (String name : List.of("install", "setpriv")) stub(stubs.resolve(name), record + "exit 0\n");
        stub(stubs.resolve("curl"), record + "cat >\"$STUB_LOG/curl.stdin\"\nexit 0\n");
        stub(stubs.resolve("hostname"), "#!/bin/sh\nif [ \"${1:-}\" = -i ]; then echo '10.9.8.7 fd00::7'; else echo host-7; fi\n");
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        if (withSecrets) {
            Files.writeString(secrets.resolve("agent_token"), TOKEN + "\n");
            Files.writeString(secrets.resolve("api_tokens"), "admin compose-test-admin-0123456789\n");
        }
        return dir;
    }

    private static void stub(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Run entrypoint(Path sandbox, String script, Map<String, String> extra) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", sandbox.resolve("stubs") + ":/usr/bin:/bin",
                "STUB_LOG", sandbox.toString(), "BATON_SECRETS_DIR", sandbox.resolve("secrets").toString()));
        env.putAll(extra);
        return Run.of(repo, env, 60, "/bin/sh", script);
    }

    private static List<String> args(Path sandbox, String stub) throws Exception {
        String recorded = Files.readString(sandbox.resolve(stub + ".args"));
        assertThat(recorded).endsWith("\0");
        return new ArrayList<>(List.of(recorded.substring(0, recorded.length() - 1).split("\0", -1)));
    }

    /** The command setpriv would exec: everything after "--". */
    private static List<String> execed(Path sandbox) throws Exception {
        List<String> args = args(sandbox, "setpriv");
        assertThat(args).contains("--no-new-privs", "--");
        return new ArrayList<>(args.subList(args.indexOf("--") + 1, args.size()));
    }

    @Test
    void hostRegistersItsAppInConsulThenRunsTheAgentWithRealFlagsAndTheTokenInItsEnvironment() throws Exception {
        Path sandbox = sandbox(true);
        Run run = entrypoint(sandbox, "docker/host-entrypoint.sh",
                Map.of("CONSUL_HTTP_ADDR", "http://consul:8500", "BATON_ZONE", "zone-b", "CONSUL_HTTP_TOKEN", "consul-acl-secret"));
        assertThat(run.exit()).as(run.describe()).isZero();

        List<String> curl = args(sandbox, "curl");
        assertThat(curl).contains("-X", "PUT", "http://consul:8500/v1/agent/service/register", "--config", "-")
                .noneMatch(a -> a.contains("consul-acl-secret"));
        assertThat(Files.readString(sandbox.resolve("curl.stdin"))).isEqualTo("header = \"X-Consul-Token: consul-acl-secret\"\n");
        JsonNode definition = new ObjectMapper().readTree(curl.get(curl.indexOf("--data") + 1));
        assertThat(definition.path("ID").asText()).isEqualTo("web-host-7");
        assertThat(definition.path("Name").asText()).isEqualTo("web");
        assertThat(definition.path("Address").asText()).isEqualTo("10.9.8.7");
        assertThat(definition.path("Port").asInt()).isEqualTo(8080);
        assertThat(definition.path("Tags").toString()).contains("\"prod\"");
        assertThat(definition.path("Meta").path("zone").asText()).isEqualTo("zone-b");
        assertThat(definition.path("Checks").get(0).path("HTTP").asText()).isEqualTo("http://10.9.8.7:8080/healthz");

        List<String> setpriv = args(sandbox, "setpriv");
        assertThat(setpriv).contains("--reuid=baton-agent", "--regid=baton-agent");
        List<String> agent = execed(sandbox);
        assertThat(agent).containsSubsequence("baton-agent", "--token-env", "BATON_AGENT_TOKEN")
                .contains("demo-app -listen 10.9.8.7:8080 -shutdown-timeout 30s -pidfile {pidfile}",
                        "http://10.9.8.7:8080/healthz")
                .noneMatch(a -> a.contains(TOKEN));
        assertThat(Files.readAllLines(sandbox.resolve("setpriv.env"))).contains("BATON_AGENT_TOKEN=" + TOKEN);

        // The exact command line, run with the packaged agent: only the listen address and home move to scratch.
        int port = SystemdUnitsTest.freePort();
        Path home = Files.createTempDirectory(tmp, "baton-agent-home");
        agent.set(0, dist.root.resolve("bin/baton-agent").toString());
        agent.set(agent.indexOf("--listen") + 1, "127.0.0.1:" + port);
        agent.set(agent.indexOf("--home") + 1, home.toString());
        int exit = AgentProbe.serves(dist.root, agent, Map.of("BATON_AGENT_TOKEN", TOKEN), port, TOKEN, home);
        assertThat(exit).isEqualTo(143);
    }

    @Test
    void serverReadsItsSecretsThenRunsTheServerWithRealFlags() throws Exception {
        Path sandbox = sandbox(true);
        Run run = entrypoint(sandbox, "docker/server-entrypoint.sh", Map.of());
        assertThat(run.exit()).as(run.describe()).isZero();
        List<String> install = args(sandbox, "install");
        assertThat(install).contains("0600", "baton", sandbox.resolve("secrets/api_tokens").toString(), "/run/baton/tokens");
        assertThat(args(sandbox, "setpriv")).contains("--reuid=baton", "--regid=baton");
        List<String> server = execed(sandbox);
        assertThat(server).containsExactly("baton", "server", "--listen", "0.0.0.0:8800", "--tokens-file", "/run/baton/tokens");
        assertThat(Files.readAllLines(sandbox.resolve("setpriv.env"))).contains("BATON_AGENT_TOKEN=" + TOKEN);

        // Run with the packaged server: it takes the flags and the tokens, and stops at the (unreachable) Consul.
        server.set(0, dist.root.resolve("bin/baton").toString());
        server.set(server.indexOf("--listen") + 1, "127.0.0.1:0");
        server.set(server.indexOf("--tokens-file") + 1, sandbox.resolve("secrets/api_tokens").toString());
        Run real = Run.of(repo, Map.of("CONSUL_HTTP_ADDR", "http://127.0.0.1:1", "BATON_AGENT_TOKEN", TOKEN), 90,
                server.toArray(String[]::new));
        assertThat(real.exit()).as(real.describe()).isEqualTo(2);
        assertThat(real.stderr()).contains("Consul at 127.0.0.1:1 is unreachable").doesNotContain("--help", "is not set");
    }

    @Test
    void missingSecretsStopTheEntrypointsWithOneLineNamingTheFileToCreate() throws Exception {
        for (String script : List.of("docker/host-entrypoint.sh", "docker/server-entrypoint.sh")) {
            Path sandbox = sandbox(false);
            Run run = entrypoint(sandbox, script, Map.of());
            assertThat(run.exit()).as(run.describe()).isEqualTo(2);
            assertThat(run.stderr()).hasLineCount(1).contains("is missing: create docker/secrets/");
            assertThat(sandbox.resolve("setpriv.args")).doesNotExist();
        }
    }
}
