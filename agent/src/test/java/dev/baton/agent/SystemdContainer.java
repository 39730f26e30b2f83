package dev.baton.agent;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real systemd (Debian bookworm, made by debootstrap and cached outside the repository by bin/setup) booted with
 * systemd-nspawn on a throw-away overlay, sharing the host's network, with the test's sandbox bound at the same path
 * and one unit file installed. {@link #systemctl()} is a small script the agent runs as its systemctl: it runs the
 * container's systemctl through nsenter and, for {@code show -p MainPID}, translates the pid from the container's pid
 * namespace into the host's, where the agent runs. On a real host the agent runs systemctl itself and needs neither.
 */
final class SystemdContainer implements AutoCloseable {

    static final Path ROOT = Path.of(System.getenv().getOrDefault("BATON_SYSTEMD_ROOT",
            System.getProperty("user.home") + "/.cache/baton/systemd-root-bookworm"));

    private final Process nspawn;
    private final long leader;
    private final Path systemctl;

    private SystemdContainer(Process nspawn, long leader, Path systemctl) {
        this.nspawn = nspawn;
        this.leader = leader;
        this.systemctl = systemctl;
    }

    /** Fails, never skips, when something it needs is missing, naming bin/setup. */
    static void requireTools() {
        SupervisedApp.require("systemd-nspawn", "systemd-container");
        SupervisedApp.require("nsenter", "util-linux");
        if (!Files.isExecutable(ROOT.resolve("lib/systemd/systemd"))) {
            fail("no Debian root with systemd at " + ROOT + "; run bin/setup (it makes one with debootstrap)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("booting systemd with systemd-nspawn needs root; run the systemd tests as root");
        }
    }

    /** Boots the container with {@code unitFile} installed as /etc/systemd/system/{@code unitName}; waits until it runs. */
    static SystemdContainer boot(Path sandbox, Path unitFile, String unitName) throws Exception {
        String machine = "baton-" + UUID.randomUUID().toString().substring(0, 8);
        Process nspawn = new ProcessBuilder("systemd-nspawn", "--quiet", "-D", ROOT.toString(), "--register=no",
                "--keep-unit", "--volatile=overlay", "--boot", "--machine=" + machine,
                "--bind=" + sandbox, "--bind-ro=" + unitFile + ":/etc/systemd/system/" + unitName)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(sandbox.resolve("nspawn.log").toFile())
                .start();
        long[] leader = new long[1];
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!nspawn.isAlive()) {
                    fail("systemd-nspawn exited: " + Files.readString(sandbox.resolve("nspawn.log")));
                }
                leader[0] = nspawn.descendants().mapToLong(ProcessHandle::pid)
                        .filter(pid -> innerPid(pid).orElse(0) == 1).findFirst().orElse(0);
                return leader[0] != 0;
            });
            Path systemctl = writeSystemctl(sandbox, leader[0]);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                String state = SupervisedApp.run(List.of(systemctl.toString(), "is-system-running"));
                return state.equals("running") || state.equals("degraded");
            });
            return new SystemdContainer(nspawn, leader[0], systemctl);
        } catch (Throwable e) {
            nspawn.destroyForcibly();
            throw e;
        }
    }

    Path systemctl() {
        return systemctl;
    }

    String run(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(systemctl.toString()));
        argv.addAll(List.of(args));
        return SupervisedApp.run(argv);
    }

    /** The pid a host process has inside its own pid namespace (the last NSpid field): what the app itself reports. */
    static OptionalLong innerPid(long hostPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(hostPid), "status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("NSpid:")) {
                    String[] fields = line.substring(6).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(fields[fields.length - 1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    private static Path writeSystemctl(Path sandbox, long leader) throws IOException {
        Path script = sandbox.resolve("systemctl");
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "# The container's systemctl, for an agent on the host (see SystemdContainer).",
                "L=" + leader,
                "if [ \"$1\" = show ]; then",
                "  inner=$(nsenter -t $L -a systemctl \"$@\") || exit $?",
                "  if [ \"$inner\" = 0 ]; then echo 0; exit 0; fi",
                "  ns=$(readlink /proc/$L/ns/pid)",
                "  for s in /proc/[0-9]*/status; do",
                "    d=${s%/status}",
                "    if awk -v p=\"$inner\" '$1==\"NSpid:\" && NF==3 && $3==p {f=1} END {exit !f}' \"$s\" 2>/dev/null \\",
                "        && [ \"$(readlink $d/ns/pid 2>/dev/null)\" = \"$ns\" ]; then",
                "      echo ${d#/proc/}; exit 0",
                "    fi",
                "  done",
                "  echo 0; exit 0",
                "fi",
                "exec nsenter -t $L -a systemctl \"$@\"",
                ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** SIGTERM makes systemd-nspawn shut the container down cleanly. */
    @Override
    public void close() throws InterruptedException {
        nspawn.destroy();
        if (!nspawn.waitFor(30, TimeUnit.SECONDS)) {
            nspawn.destroyForcibly();
            nspawn.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
