package dev.baton.dist;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The systemd units of the distribution: {@code systemd-analyze verify} and {@code security --offline}, the users they
 * run as, and their ExecStart= lines run for real (expanded the way systemd does) against the unpacked jars.
 */
class SystemdUnitsTest {
    /** Scratch space of one test, removed after it. */
    @TempDir
    Path tmp;
    /** Where the units expect the distribution (the README installs it there). */
    private static final String PREFIX = "/opt/baton/";
    private static Distribution dist;
    private static Path systemdAnalyze;

    @BeforeAll
    static void build() throws Exception {
        systemdAnalyze = Run.require("systemd-analyze", "systemd");
        Run.require("systemd-sysusers", "systemd");
        dist = Distribution.get();
    }

    /**
     * A copy of the unit with /opt/baton/ pointing at the unpacked tarball: {@code verify} insists that ExecStart='s
     * program exists and is executable, and the real thing is the packaged launcher.
     */
    private Path installedCopy(String unit, String text) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "baton-units");
        return Files.writeString(dir.resolve(unit), text.replace(PREFIX, dist.root + "/"));
    }

    private static String unitText(String unit) throws IOException {
        return Files.readString(dist.root.resolve("systemd").resolve(unit));
    }

    @ParameterizedTest
    @ValueSource(strings = {"baton-server.service", "baton-agent.service"})
    void systemdAnalyzeVerifiesTheUnitWithoutAWord(String unit) throws Exception {
        Path copy = installedCopy(unit, unitText(unit));
        Run verify = Run.of(copy.getParent(), systemdAnalyze.toString(), "verify", "--man=no", copy.toString());
        // verify exits 0 even for unknown keys or unparsable values (it only warns): silence is the real pass.
        assertThat(verify.exit()).as(verify.describe()).isZero();
        assertThat(verify.stdout() + verify.stderr()).as(verify.describe()).isEmpty();

        // The same check sees a misspelt directive and a bad value, so silence above means something.
        Path broken = installedCopy(unit, unitText(unit).replace("ProtectSystem=strict", "ProtectSystem=strictest")
                .replace("NoNewPrivileges=yes", "NoNewPrivilege=yes"));
        Run complaint = Run.of(broken.getParent(), systemdAnalyze.toString(), "verify", "--man=no", broken.toString());
        assertThat(complaint.stdout() + complaint.stderr()).contains("strictest", "NoNewPrivilege");

        // The units as shipped point at /opt/baton, which does not exist here: verify says exactly that.
        Run asShipped = Run.of(dist.root, systemdAnalyze.toString(), "verify", "--man=no",
                dist.root.resolve("systemd").resolve(unit).toString());
        if (!Files.exists(Path.of(PREFIX))) {
            assertThat(asShipped.stderr()).contains("Command " + PREFIX + "bin/");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"baton-server.service", "baton-agent.service"})
    void systemdRatesTheSandboxAsOk(String unit) throws Exception {
        Path copy = installedCopy(unit, unitText(unit));
        // --threshold=25: exit non-zero when the overall exposure is above 2.5 (of 10; 0-3.9 is "OK").
        Run security = Run.of(copy.getParent(), systemdAnalyze.toString(), "security", "--offline=true", "--threshold=25",
                "--no-pager", copy.toString());
        assertThat(security.exit()).as(security.describe()).isZero();
        Matcher level = Pattern.compile("Overall exposure level for " + Pattern.quote(unit) + ": (\\d+\\.\\d) OK")
                .matcher(security.stdout() + security.stderr());
        assertThat(level.find()).as(security.describe()).isTrue();
        assertThat(Double.parseDouble(level.group(1))).isLessThanOrEqualTo(2.5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"baton-server.service", "baton-agent.service"})
    void unitRunsAsADedicatedUserWithSecretsFromItsEnvironmentFileAndRestartsOnFailure(String unit) throws Exception {
        Map<String, List<String>> service = section(unitText(unit), "Service");
        assertThat(one(service, "User")).isIn("baton", "baton-agent");
        assertThat(one(service, "Group")).isEqualTo(one(service, "User"));
        assertThat(one(service, "EnvironmentFile")).startsWith("/etc/baton/").endsWith(".env");
        assertThat(one(service, "NoNewPrivileges")).isEqualTo("yes");
        assertThat(one(service, "ProtectSystem")).isEqualTo("strict");
        assertThat(one(service, "PrivateTmp")).isEqualTo("yes");
        assertThat(one(service, "ProtectHome")).isEqualTo("yes");
        assertThat(one(service, "Restart")).isEqualTo("on-failure");
        assertThat(one(service, "SuccessExitStatus")).isEqualTo("143");
        assertThat(one(service, "CapabilityBoundingSet")).isEmpty();
        Matcher stop = Pattern.compile("(\\d+)s").matcher(one(service, "TimeoutStopSec"));
        assertThat(stop.matches()).isTrue();
        assertThat(Integer.parseInt(stop.group(1))).isBetween(10, 300);
        String execStart = one(service, "ExecStart");
        // No secret on the command line: no token variable is expanded into it, no token flag takes a value.
        assertThat(execStart).doesNotContainPattern("\\$\\{?[A-Z_]*TOKEN").doesNotContain("--token ", "--token-file");
        for (String environment : service.getOrDefault("Environment", List.of())) {
            assertThat(environment).doesNotContainPattern("TOKEN");
        }
    }

    @Test
    void agentStateDirectoryIsItsHomeAndTheOnlyWritablePath() throws Exception {
        Map<String, List<String>> service = section(unitText("baton-agent.service"), "Service");
        assertThat(one(service, "StateDirectory")).isEqualTo("baton-agent");
        assertThat(one(service, "ReadWritePaths")).isEqualTo("/var/lib/baton-agent");
        assertThat(one(service, "ExecStart")).contains("--home /var/lib/baton-agent ", "--token-env BATON_AGENT_TOKEN ")
                .endsWith(" $BATON_AGENT_ARGS");
        // Further options split into words; none by default.
        Map<String, String> env = unitEnvironment(unitText("baton-agent.service"), dist.root.resolve("etc/baton/agent.env"));
        assertThat(env).containsEntry("BATON_AGENT_ARGS", "");
        List<String> plain = execStart(service, env);
        env.put("BATON_AGENT_ARGS", " --one  two ");
        assertThat(execStart(service, env)).containsExactlyElementsOf(
                java.util.stream.Stream.concat(plain.stream(), java.util.stream.Stream.of("--one", "two")).toList());
        assertThat(one(service, "KillMode")).as("an agent restart leaves the app serving").isEqualTo("process");
        assertThat(section(unitText("baton-server.service"), "Service")).doesNotContainKey("ReadWritePaths");
    }

    @Test
    void sysusersCreatesTheUsersTheUnitsRunAs() throws Exception {
        Path root = Files.createTempDirectory(tmp, "baton-sysroot");
        Files.createDirectories(root.resolve("etc"));
        Run sysusers = Run.of(root, "systemd-sysusers", "--root=" + root,
                dist.root.resolve("systemd/baton.sysusers.conf").toString());
        assertThat(sysusers.exit()).as(sysusers.describe()).isZero();
        List<String> passwd = Files.readAllLines(root.resolve("etc/passwd"));
        List<String> groups = Files.readAllLines(root.resolve("etc/group"));
        for (String unit : List.of("baton-server.service", "baton-agent.service")) {
            String user = one(section(unitText(unit), "Service"), "User");
            assertThat(passwd).as(unit).anyMatch(l -> l.startsWith(user + ":") && l.endsWith(":/usr/sbin/nologin"));
            assertThat(groups).as(unit).anyMatch(l -> l.startsWith(user + ":"));
        }
    }

    @Test
    void agentUnitsExecStartStartsTheAgentWithTheTokenFromItsEnvironmentOnly() throws Exception {
        String unit = unitText("baton-agent.service");
        Path home = Files.createTempDirectory(tmp, "baton-agent-home");
        int port = freePort();
        String token = "dist-test-" + Long.toHexString(System.nanoTime());
        Map<String, String> env = unitEnvironment(unit, dist.root.resolve("etc/baton/agent.env"));
        env.put("BATON_AGENT_LISTEN", "127.0.0.1:" + port);
        env.put("BATON_AGENT_TOKEN", token);
        List<String> argv = execStart(section(unit, "Service"), env).stream()
                .map(a -> a.replace("/var/lib/baton-agent", home.toString())).toList();
        assertThat(argv).doesNotContain(token);

        Map<String, String> processEnv = new LinkedHashMap<>(env);
        int exit = AgentProbe.serves(dist.root, argv, processEnv, port, token, home);
        assertThat(exit).as("SIGTERM exit status, listed in SuccessExitStatus=").isEqualTo(143);
    }

    @Test
    void serverUnitsExecStartIsAValidServerCommandLine() throws Exception {
        String unit = unitText("baton-server.service");
        Path tokens = Files.writeString(Files.createTempFile(tmp, "tokens", ""), "deployer dist-test-0123456789abcdef\n");
        Map<String, String> env = unitEnvironment(unit, dist.root.resolve("etc/baton/server.env"));
        assertThat(env).containsKeys("CONSUL_HTTP_ADDR", "BATON_LISTEN", "BATON_AGENT_PORT");
        // Unreachable on purpose: the server parses its flags, loads the tokens, then stops at Consul.
        env.put("CONSUL_HTTP_ADDR", "http://127.0.0.1:1");
        env.put("BATON_LISTEN", "127.0.0.1:0");
        env.put("BATON_AGENT_TOKEN", "dist-test-agent-token");
        List<String> argv = execStart(section(unit, "Service"), env).stream()
                .map(a -> a.replace("/etc/baton/tokens", tokens.toString())).toList();
        assertThat(argv).contains("server", "--tokens-file", tokens.toString(), "--listen", "127.0.0.1:0");

        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        systemdLikeEnvironment(builder.environment(), env);
        Path out = Files.createTempFile(tmp, "baton-server", ".log");
        Process server = builder.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!server.waitFor(90, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the server neither started nor failed within 90 s: " + Files.readString(out));
        }
        String output = Files.readString(out);
        assertThat(server.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("Consul at 127.0.0.1:1 is unreachable").doesNotContain("--help", "Unknown option",
                "Missing required", "is not set");
    }

    // ---- systemd's rules, as far as these units use them

    /** The unit's settings in one section: key to values, in order; comments and blank lines skipped. */
    static Map<String, List<String>> section(String unitText, String name) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        String current = null;
        for (String raw : unitText.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            if (line.startsWith("[")) {
                current = line.substring(1, line.length() - 1);
                continue;
            }
            assertThat(line).as("no continuation lines").doesNotEndWith("\\");
            int eq = line.indexOf('=');
            if (name.equals(current)) settings.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        return settings;
    }

    static String one(Map<String, List<String>> section, String key) {
        List<String> values = section.get(key);
        assertThat(values).as(key).isNotNull().hasSize(1);
        return values.get(0);
    }

    /**
     * What systemd gives the service: Environment= first, then the EnvironmentFile= (which wins). The example file's
     * commented {@code #NAME=value} lines stand in for the operator's filled-in copy; its JAVA_HOME is left out
     * (a path on some other machine).
     */
    static Map<String, String> unitEnvironment(String unitText, Path exampleEnvFile) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : section(unitText, "Service").getOrDefault("Environment", List.of())) {
            String a = assignment.startsWith("\"") ? assignment.substring(1, assignment.length() - 1) : assignment;
            assertThat(a).doesNotContain("\"");
            env.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        Pattern example = Pattern.compile("#([A-Z_]+)=(.+)");
        for (String line : Files.readAllLines(exampleEnvFile)) {
            Matcher m = example.matcher(line.strip());
            if (m.matches() && !m.group(1).equals("JAVA_HOME")) env.put(m.group(1), m.group(2));
        }
        return env;
    }

    /**
     * ExecStart= split into words; {@code ${NAME}} as a word of its own becomes exactly one argument, spaces included;
     * {@code $NAME} as a word of its own is split at whitespace into as many arguments (none when empty).
     */
    static List<String> execStart(Map<String, List<String>> service, Map<String, String> env) {
        String line = one(service, "ExecStart");
        assertThat(line).as("these units use no quoting or prefixes").doesNotContain("\"", "'", "\\")
                .doesNotMatch("^[-@:+!].*");
        List<String> argv = new ArrayList<>();
        for (String word : line.trim().split("\\s+")) {
            Matcher braced = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}").matcher(word);
            Matcher split = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)").matcher(word);
            if (braced.matches()) {
                String value = env.get(braced.group(1));
                assertThat(value).as("${" + braced.group(1) + "} has a default or an example value").isNotBlank();
                argv.add(value);
            } else if (split.matches()) {
                String value = env.get(split.group(1));
                assertThat(value).as("$" + split.group(1) + " has a default (Environment=)").isNotNull();
                if (!value.isBlank()) argv.addAll(List.of(value.trim().split("\\s+")));
            } else {
                assertThat(word).doesNotContain("$");
                argv.add(word);
            }
        }
        assertThat(argv.get(0)).startsWith(PREFIX + "bin/");
        argv.set(0, dist.root + "/" + argv.get(0).substring(PREFIX.length()));
        return argv;
    }

    /** A clean environment like systemd's: PATH (and JAVA_HOME) from the test, the rest only from the unit. */
    static void systemdLikeEnvironment(Map<String, String> target, Map<String, String> unitEnv) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        String javaHome = System.getenv("JAVA_HOME");
        target.clear();
        target.put("PATH", path);
        if (javaHome != null) target.put("JAVA_HOME", javaHome);
        target.putAll(unitEnv);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
