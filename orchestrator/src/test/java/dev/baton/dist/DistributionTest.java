package dev.baton.dist;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/package}: the tarball's layout, and the unpacked launchers running the real jars. */
class DistributionTest {
    /** Scratch space of one test, removed after it. */
    @TempDir
    Path tmp;
    private static Distribution dist;

    @BeforeAll
    static void build() throws Exception {
        Run.require("tar", "tar");
        Run.require("unzip", "unzip");
        dist = Distribution.get();
    }

    @Test
    void tarballHasTheDocumentedLayout() throws Exception {
        assertThat(dist.tarball.getFileName().toString()).isEqualTo("baton-" + dist.version + ".tar.gz");
        Set<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(dist.root)) {
            walk.filter(Files::isRegularFile).forEach(f -> files.add(dist.root.relativize(f).toString()));
        }
        Set<String> plans = new TreeSet<>();
        try (Stream<Path> list = Files.list(dist.repo.resolve("plans"))) {
            list.forEach(p -> plans.add("plans/" + p.getFileName()));
        }
        assertThat(plans).contains("plans/plan.schema.json").anyMatch(p -> p.endsWith(".yaml"));
        Set<String> expected = new TreeSet<>(List.of("bin/baton", "bin/baton-agent", "lib/baton.jar", "lib/baton-agent.jar",
                "systemd/baton-server.service", "systemd/baton-agent.service", "systemd/baton.sysusers.conf",
                "etc/baton/server.env", "etc/baton/tokens", "etc/baton/agent.env", "docs/server-api.md",
                "docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml", "README.md", "VERSION"));
        expected.addAll(plans);
        assertThat(files).isEqualTo(expected);
        assertThat(Files.readString(dist.root.resolve("VERSION")).strip()).isEqualTo(dist.version);
        for (String launcher : List.of("bin/baton", "bin/baton-agent")) {
            assertThat(Files.getPosixFilePermissions(dist.root.resolve(launcher))).as(launcher)
                    .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
            assertThat(Files.readString(dist.root.resolve(launcher))).as(launcher).startsWith("#!/bin/sh\n").doesNotContainPattern("@[A-Z_]+@");
        }
        // Files meant to hold secrets once filled in are not readable by everyone.
        for (String config : List.of("etc/baton/server.env", "etc/baton/tokens", "etc/baton/agent.env")) {
            assertThat(Files.getPosixFilePermissions(dist.root.resolve(config))).as(config)
                    .doesNotContain(PosixFilePermission.OTHERS_READ);
        }
        Run sums = Run.of(dist.tarball.getParent(), "sha256sum", "-c", dist.tarball.getFileName() + ".sha256");
        assertThat(sums.exit()).as(sums.describe()).isZero();
    }

    @Test
    void packagingTwiceGivesTheSameBytesAndAnOutDirRelativeToTheCaller() throws Exception {
        Path caller = Files.createTempDirectory(tmp, "baton-caller");
        Run again = Run.of(caller, Map.of(), 300, dist.repo.resolve("bin/package").toString(), "--no-build", "--out", "again");
        assertThat(again.exit()).as(again.describe()).isZero();
        Path second = caller.resolve("again").resolve(dist.tarball.getFileName());
        assertThat(again.stdout().strip()).isEqualTo(second.toString());
        assertThat(sha256(second)).as("reproducible: sorted names, fixed owner and mtime, no gzip timestamp")
                .isEqualTo(sha256(dist.tarball));

        Run wrong = Run.of(caller, dist.repo.resolve("bin/package").toString(), "--outdir", "x");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.stderr().strip()).isEqualTo("package: unknown argument '--outdir' (usage: bin/package [--out DIR] [--no-build])");
    }

    @Test
    void jarsAreTheBuiltOnesAndTheServerJarCarriesTheDashboard() throws Exception {
        try (ZipFile server = new ZipFile(dist.root.resolve("lib/baton.jar").toFile());
             ZipFile agent = new ZipFile(dist.root.resolve("lib/baton-agent.jar").toFile())) {
            assertThat(server.getEntry("dev/baton/cli/BatonMain.class")).isNotNull();
            assertThat(server.getEntry("web-ui/index.html")).as("the dashboard inside baton.jar").isNotNull();
            assertThat(server.getEntry("web-ui/js/main.js")).isNotNull();
            assertThat(agent.getEntry("dev/baton/agent/AgentMain.class")).isNotNull();
            assertThat(new String(server.getInputStream(server.getEntry(
                    "META-INF/maven/dev.baton/baton-orchestrator/pom.properties")).readAllBytes()))
                    .contains("version=" + dist.version);
        }
        assertThat(sha256(dist.root.resolve("lib/baton.jar")))
                .isEqualTo(sha256(dist.repo.resolve("orchestrator/target/baton.jar")));
        assertThat(sha256(dist.root.resolve("lib/baton-agent.jar")))
                .isEqualTo(sha256(dist.repo.resolve("agent/target/baton-agent.jar")));
    }

    @Test
    void unpackedBatonAnswersHelpAndValidatesTheExamplePlans() throws Exception {
        Run help = Run.of(dist.root, "bin/baton", "--help");
        assertThat(help.exit()).as(help.describe()).isZero();
        assertThat(help.stdout()).contains("Usage: baton", "apply", "server", "validate");

        List<String> command = new java.util.ArrayList<>(List.of("bin/baton", "validate"));
        try (Stream<Path> list = Files.list(dist.root.resolve("plans"))) {
            list.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(p -> command.add(dist.root.relativize(p).toString()));
        }
        assertThat(command).hasSizeGreaterThan(3);
        Run validate = Run.of(dist.root, command.toArray(String[]::new));
        assertThat(validate.exit()).as(validate.describe()).isZero();
        assertThat(validate.stdout().lines().filter(l -> l.contains(": ok")).count()).isEqualTo(command.size() - 2);

        // The launcher sees a broken plan as the jar does: exit 2, one line naming the file.
        Path broken = Files.writeString(Files.createTempFile(tmp, "broken", ".yaml"), "service: web\nversion: [\n");
        Run bad = Run.of(dist.root, "bin/baton", "validate", broken.toString());
        assertThat(bad.exit()).as(bad.describe()).isEqualTo(2);
        assertThat(bad.stdout() + bad.stderr()).contains(broken.getFileName().toString());
    }

    @Test
    void unpackedAgentAnswersHelp() throws Exception {
        Run help = Run.of(dist.root, "bin/baton-agent", "--help");
        assertThat(help.exit()).as(help.describe()).isZero();
        assertThat(help.stdout()).contains("Usage: baton-agent", "--listen", "--home", "--token-env", "--app-command",
                "--ready-url");
    }

    @Test
    void launchersRunTheJarNextToTheirRealLocationAndSayWhatIsWrong() throws Exception {
        // Linked from elsewhere (as /usr/local/bin/baton -> /opt/baton/bin/baton), through two relative links.
        Path elsewhere = Files.createTempDirectory(tmp, "baton-links");
        Files.createDirectories(elsewhere.resolve("a/b"));
        Files.createSymbolicLink(elsewhere.resolve("a/b/baton"), dist.root.resolve("bin/baton"));
        Files.createSymbolicLink(elsewhere.resolve("baton"), Path.of("a/b/baton"));
        Run viaLink = Run.of(elsewhere, "./baton", "--version");
        assertThat(viaLink.exit()).as(viaLink.describe()).isZero();
        assertThat(viaLink.stdout()).startsWith("baton ");

        // Run with POSIX sh explicitly (dash on Debian), java found through JAVA_HOME.
        Path javaHome = Path.of(System.getProperty("java.home"));
        Run dash = Run.of(dist.root, Map.of("JAVA_HOME", javaHome.toString(), "PATH", "/usr/bin:/bin"), 60,
                "/bin/sh", "bin/baton-agent", "--version");
        assertThat(dash.exit()).as(dash.describe()).isZero();

        Run badHome = Run.of(dist.root, Map.of("JAVA_HOME", "/nonexistent-java"), 60, "bin/baton", "--help");
        assertThat(badHome.exit()).isEqualTo(2);
        assertThat(badHome.stderr().strip()).isEqualTo(
                "baton: JAVA_HOME is /nonexistent-java but /nonexistent-java/bin/java is not an executable: fix JAVA_HOME or unset it");

        Run noJava = Run.of(dist.root, Map.of("PATH", "/nonexistent", "JAVA_HOME", ""), 60, "/bin/sh", "bin/baton-agent", "--help");
        assertThat(noJava.exit()).isEqualTo(2);
        assertThat(noJava.stderr().strip()).isEqualTo(
                "baton-agent: java not found on PATH: install Java 17 or newer, or set JAVA_HOME");

        // A launcher copied out of the tree without its lib/ says so instead of a Java stack trace.
        Path lonely = Files.createDirectories(Files.createTempDirectory(tmp, "baton-lonely").resolve("bin"));
        Files.copy(dist.root.resolve("bin/baton"), lonely.resolve("baton"));
        Run missing = Run.of(lonely, "/bin/sh", "./baton", "--help");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.stderr()).startsWith("baton: ").contains("lib/baton.jar is missing").hasLineCount(1);
    }

    @Test
    void exampleConfigurationShipsNoSecretAndTheTokensExampleIsInTheServersFormat() throws Exception {
        for (String config : List.of("etc/baton/server.env", "etc/baton/tokens", "etc/baton/agent.env")) {
            List<String> active = Files.readAllLines(dist.root.resolve(config)).stream()
                    .filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#")).toList();
            assertThat(active).as(config + ": every setting is a commented example").isEmpty();
        }
        // The server reads the example as a tokens file (comments accepted) and refuses it until a token is added.
        Run empty = Run.of(dist.root, "bin/baton", "server", "--listen", "127.0.0.1:0", "--tokens-file", "etc/baton/tokens");
        assertThat(empty.exit()).as(empty.describe()).isEqualTo(2);
        assertThat(empty.stderr()).contains("etc/baton/tokens: no tokens");
        // Uncommenting the documented example lines gives a file the server accepts (it then goes on to Consul).
        Path filled = Files.createTempFile(tmp, "tokens", "");
        Files.writeString(filled, String.join("\n", Files.readAllLines(dist.root.resolve("etc/baton/tokens")).stream()
                .filter(l -> l.matches("#(viewer|deployer|admin)\\s+<.*>"))
                .map(l -> l.substring(1).replaceAll("<.*>", "t-" + l.substring(1, 4) + "-0123456789abcdef")).toList()) + "\n");
        assertThat(Files.readAllLines(filled)).hasSize(3);
        Run accepted = Run.of(dist.root, Map.of("CONSUL_HTTP_ADDR", "http://127.0.0.1:1"), 60,
                "bin/baton", "server", "--listen", "127.0.0.1:0", "--tokens-file", filled.toString());
        assertThat(accepted.exit()).as(accepted.describe()).isEqualTo(2);
        assertThat(accepted.stderr()).contains("Consul at 127.0.0.1:1 is unreachable").doesNotContain("no tokens");
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
