package dev.baton.agent.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.AgentHome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pid is signalled only when it is the process the agent started (or its hot-restart successor), checked against
 * real processes: the "app" is a copy of sleep inside a release, the intruder a plain sleep.
 */
class AppControlTest {

    @TempDir
    Path root;
    private AgentHome home;
    private AppControl app;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void installRelease() throws Exception {
        home = new AgentHome(root);
        Path release = Files.createDirectories(home.releases().resolve("1.0.0"));
        Files.copy(Path.of(which("sleep")), release.resolve("app"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(home.current(), Path.of("releases", "1.0.0"));
        app = new AppControl(home, AppCommand.parse("app 300"), Map.of("PATH", "/usr/bin:/bin"));
    }

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    @Test
    void signalsTheAppItStarted() throws Exception {
        Process started = track(app.start());
        writePidFile(started.pid());

        assertThat(app.runningPid()).hasValue(started.pid());
        app.terminate(started.pid());

        assertThat(Pids.waitForExit(started.pid(), Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aPidfileNamingAnotherProcessIsRefusedAndThatProcessNeverSignalled() throws Exception {
        track(app.start());
        Process intruder = track(new ProcessBuilder(which("sleep"), "300").start());
        writePidFile(intruder.pid());

        assertThatThrownBy(app::runningPid)
                .isInstanceOf(UntrustedPidException.class)
                .hasMessage("pidfile names pid " + intruder.pid() + ", which runs " + realSleep()
                        + ", not the app the agent started; not signalling it");
        assertThatThrownBy(() -> app.terminate(intruder.pid())).isInstanceOf(UntrustedPidException.class);
        assertThatThrownBy(() -> app.kill(intruder.pid())).isInstanceOf(UntrustedPidException.class);
        assertThatThrownBy(() -> app.signalHandOff(intruder.pid(), HandoffSignal.USR2)).isInstanceOf(UntrustedPidException.class);

        Thread.sleep(200);
        assertThat(intruder.isAlive()).isTrue();
    }

    @Test
    void aReusedPidIsRefused() throws Exception {
        Process intruder = track(new ProcessBuilder(which("sleep"), "300").start());
        ProcessIdentity now = ProcessIdentity.of(intruder.pid()).orElseThrow();
        // As if the agent had started a process with this pid earlier, which exited, and the kernel reused the pid.
        Files.writeString(root.resolve("app.identity"),
                new ProcessIdentity(now.pid(), now.startTicks() - 100, now.exe()).line() + "\n");
        writePidFile(intruder.pid());

        assertThatThrownBy(app::runningPid)
                .isInstanceOf(UntrustedPidException.class)
                .hasMessageContaining("was started at another time than the app the agent started (a reused pid)");
        assertThatThrownBy(() -> app.kill(intruder.pid())).isInstanceOf(UntrustedPidException.class);
        Thread.sleep(200);
        assertThat(intruder.isAlive()).isTrue();
    }

    @Test
    void aLaterProcessOfAReleaseProgramIsTheSuccessor() throws Exception {
        Process first = track(app.start());
        Thread.sleep(20);
        // What a hot restart does: the app starts a fresh copy of itself, which rewrites the pidfile.
        Process successor = track(new ProcessBuilder(home.current().resolve("app").toString(), "300").start());
        writePidFile(successor.pid());

        assertThat(app.runningPid()).hasValue(successor.pid());
        app.terminate(successor.pid());
        assertThat(Pids.waitForExit(successor.pid(), Duration.ofSeconds(5))).isTrue();
        assertThat(first.isAlive()).isTrue();
    }

    @Test
    void theAppGetsOnlyTheGivenEnvironmentAndItsPidfile() throws Exception {
        Process started = track(app.start());

        String environ = Files.readString(Path.of("/proc", Long.toString(started.pid()), "environ"),
                StandardCharsets.UTF_8);

        assertThat(List.of(environ.split("\0")))
                .containsExactlyInAnyOrder("PATH=/usr/bin:/bin", "PIDFILE=" + home.pidFile());
    }

    private Process track(Process process) {
        processes.add(process);
        return process;
    }

    private void writePidFile(long pid) throws Exception {
        Files.writeString(home.pidFile(), pid + "\n");
    }

    private static String realSleep() throws Exception {
        return Path.of(which("sleep")).toRealPath().toString();
    }

    private static String which(String program) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program).toString();
            }
        }
        throw new AssertionError(program + " is not on PATH");
    }
}
