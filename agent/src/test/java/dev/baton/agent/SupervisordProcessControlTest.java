package dev.baton.agent;

import static dev.baton.agent.SupervisedApp.phase;
import static dev.baton.agent.SupervisedApp.phaseNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.app.HandoffSignal;
import dev.baton.agent.app.MainPidOutput;
import dev.baton.agent.app.Pids;
import dev.baton.agent.app.ProcessControlConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code command} strategy with Debian's supervisor: a private supervisord (its own configuration and unix
 * socket in a temp dir) driven through {@code supervisorctl -c CONF stop/start/signal/pid}.
 */
class SupervisordProcessControlTest {

    private SupervisedApp app;
    private Path conf;

    @BeforeAll
    static void buildReleases() throws Exception {
        SupervisedApp.require("supervisord", "supervisor");
        SupervisedApp.require("supervisorctl", "supervisor");
        SupervisedApp.buildReleases();
    }

    @AfterAll
    static void removeReleases() throws Exception {
        SupervisedApp.removeReleases();
    }

    @BeforeEach
    void startSupervisordAndAgent() throws Exception {
        app = new SupervisedApp();
        Path dir = app.sandbox;
        conf = dir.resolve("supervisord.conf");
        Files.writeString(conf, String.join("\n",
                "[unix_http_server]",
                "file=" + dir.resolve("supervisor.sock"),
                "[supervisord]",
                "logfile=" + dir.resolve("supervisord.log"),
                "pidfile=" + dir.resolve("supervisord.pid"),
                "childlogdir=" + dir,
                "nodaemon=true",
                "[rpcinterface:supervisor]",
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
                "[supervisorctl]",
                "serverurl=unix://" + dir.resolve("supervisor.sock"),
                "[program:demo]",
                "command=" + app.appCommandLine("HUP"),
                "autostart=false",
                "autorestart=true",
                "startsecs=1",
                "stopsignal=TERM",
                "stopwaitsecs=30",
                "redirect_stderr=true",
                "stdout_logfile=" + dir.resolve("demo.log"),
                ""));
        ProcessBuilder supervisord = new ProcessBuilder(SupervisedApp.require("supervisord", "supervisor").toString(),
                "-n", "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("supervisord.out").toFile());
        supervisord.environment().clear();
        supervisord.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        Process supervisor = supervisord.start();
        app.onClose(() -> stopSupervisord(supervisor));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> ctl("status", "demo").contains("STOPPED"));

        String ctl = "supervisorctl -c " + conf + " ";
        app.startAgent(ProcessControlConfig.commands(ctl + "stop demo", ctl + "start demo", ctl + "signal HUP demo",
                ctl + "pid demo", HandoffSignal.HUP));
    }

    @AfterEach
    void stopEverything() throws Exception {
        app.close();
    }

    @Test
    void stopStartRestartsTheAppThroughSupervisorctl() throws Exception {
        JsonNode first = app.restart(SupervisedApp.v1(), "stop-start");
        assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(first)).containsExactly("fetch", "drain", "switch", "start", "ready");
        assertThat(phase(first, "drain").path("state").asText()).isEqualTo("SKIPPED");
        long oldPid = first.path("newPid").asLong();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("1.0.0", oldPid));
        assertThat(supervisedPid()).isEqualTo(oldPid);

        JsonNode second = app.restart(SupervisedApp.v2(), "stop-start");

        assertThat(second.path("state").asText()).as(second.toString()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(second)).containsExactly("fetch", "drain", "switch", "start", "ready");
        for (JsonNode phase : second.path("phases")) {
            assertThat(phase.path("state").asText()).as(phase.toString()).isEqualTo("SUCCEEDED");
        }
        assertThat(phase(second, "drain").path("detail").asText()).contains("exited after").contains("stop demo");
        long newPid = second.path("newPid").asLong();
        assertThat(second.path("oldPid").asLong()).isEqualTo(oldPid);
        assertThat(newPid).isNotEqualTo(oldPid);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("2.0.0", newPid));
        assertThat(supervisedPid()).isEqualTo(newPid);
        assertThat(ctl("status", "demo")).contains("RUNNING");
    }

    @Test
    void handOffThroughSupervisorctlSignalKeepsTheListeningSocket() throws Exception {
        SupervisedApp.HandOff done = app.handOffWhileProbing(() -> runningPid() != 0 && app.served().pid() == runningPid());
        long oldPid = done.oldPid();
        JsonNode handOff = done.operation();
        assertThat(phaseNames(handOff)).containsExactly("fetch", "switch", "signal", "ready", "drain");
        assertThat(handOff.path("newPid").asLong()).isNotEqualTo(oldPid);
        long supervised = supervisedPid();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("2.0.0", supervised));
        Thread.sleep(1_500);
        assertThat(supervisedPid()).as("supervisord keeps one app running, no restart loop").isEqualTo(supervised);
    }

    private String ctl(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("supervisorctl", "-c", conf.toString()));
        argv.addAll(List.of(args));
        return SupervisedApp.run(argv);
    }

    private long runningPid() throws Exception {
        long pid = MainPidOutput.parse(ctl("pid", "demo")).orElse(0);
        if (pid != 0) app.sawPid(pid);
        return pid;
    }

    private long supervisedPid() throws Exception {
        long pid = runningPid();
        assertThat(pid).as("supervisorctl pid demo").isPositive();
        return pid;
    }

    private void stopSupervisord(Process supervisord) throws Exception {
        ctl("stop", "demo");
        ctl("shutdown");
        if (!supervisord.waitFor(15, TimeUnit.SECONDS)) {
            supervisord.destroyForcibly();
        }
    }
}
