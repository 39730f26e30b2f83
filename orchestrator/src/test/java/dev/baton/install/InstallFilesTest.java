package dev.baton.install;

import dev.baton.dist.Distribution;
import dev.baton.ssh.SshSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the install writes: the agent's argument file as picocli reads it back, the unit drop-in as systemd verifies it. */
class InstallFilesTest {
    @TempDir
    Path tmp;

    /** Every argument as its own positional parameter, options included. */
    static final class Everything {
        @CommandLine.Parameters
        List<String> args;
    }

    @Test
    void theArgumentFileGivesPicocliEachArgumentBackExactly() throws Exception {
        List<String> args = List.of("--stop-command", "sv -w 30 down /etc/service/web", "--app-command",
                "web -listen 10.0.0.1:8080 # not a comment", "quote \" and backslash \\ and \\n and 'single' $HOME `x` %h", "");
        Path file = Files.writeString(tmp.resolve("agent.args"), ArgumentFile.of("a header\nof two lines", args));
        Everything parsed = new Everything();
        CommandLine cli = new CommandLine(parsed).setUnmatchedOptionsArePositionalParams(true).setEndOfOptionsDelimiter("\u0000never");
        cli.parseArgs("@" + file);
        assertThat(parsed.args).containsExactlyElementsOf(args);
        assertThatThrownBy(() -> ArgumentFile.of("", List.of("two\nlines"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line break");
    }

    @Test
    void hostPathsAreRefusedWhenSystemdOrTheArgumentFileWouldReadThemDifferently() {
        for (String bad : List.of("relative/dir", "/opt/with space", "/opt/$HOME", "/opt/%h", "/opt/../etc", "/opt/baton/")) {
            assertThatThrownBy(() -> InstallSpec.checkPath("--prefix", bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--prefix \"" + bad + "\" must be an absolute path");
        }
        InstallSpec.checkPath("--prefix", "/opt/baton-1.2_3+x@y");
    }

    @Test
    void thePackagedUnitWithTheInstallsDropInPassesSystemdAnalyzeVerify() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assertThat(analyze).as("systemd-analyze (Debian package systemd): run bin/setup").isExecutable();
        Distribution dist = Distribution.get();
        Path prefix = Files.createDirectories(tmp.resolve("opt/baton"));
        Files.createSymbolicLink(prefix.resolve("current"), dist.root);
        Path units = Files.createDirectories(tmp.resolve("units"));
        InstallSpec spec = new InstallSpec(dist.tarball, dist.version, prefix.toString(), tmp + "/etc/baton-agent", units.toString(),
                tmp + "/var/lib/agent", null, true, null,
                new AgentFlags("{host}:7070", "http://{host}:8080/healthz", null, "systemd", List.of("--unit", "web.service")),
                null, "token", false, new SshSettings("root", 22, tmp.resolve("key"), tmp.resolve("kh"), false, null, Duration.ofSeconds(1)),
                Duration.ofSeconds(5));
        Path unit = Files.write(Path.of(AgentUnit.unitPath(spec)), Tarball.of(dist.tarball).read("systemd/" + InstallSpec.UNIT));
        Path dropIn = Path.of(AgentUnit.dropInPath(spec));
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, AgentUnit.dropIn(spec, "web-agent"));
        assertThat(Files.readString(dropIn)).contains("ExecStart=\nExecStart=" + prefix + "/current/bin/baton-agent @" + tmp + "/etc/baton-agent/agent.args\n")
                .contains("User=web-agent\nGroup=web-agent\n").contains("ReadWritePaths=" + tmp + "/var/lib/agent\n");

        Process verify = new ProcessBuilder(analyze.toString(), "verify", "--man=no", unit.toString()).redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes());
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(output).isZero();
        assertThat(output).as("verify warns about nothing").isEmpty();

        // the drop-in is really read: pointing its ExecStart= at a missing program makes verify complain about that path
        Files.writeString(dropIn, AgentUnit.dropIn(spec, "web-agent").replace("/current/bin/", "/missing/bin/"));
        Process broken = new ProcessBuilder(analyze.toString(), "verify", "--man=no", unit.toString()).redirectErrorStream(true).start();
        String complaint = new String(broken.getInputStream().readAllBytes());
        assertThat(broken.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(complaint).contains(prefix + "/missing/bin/baton-agent");
    }
}
