package dev.baton.agent;

import static dev.baton.agent.SupervisedApp.phase;
import static dev.baton.agent.SupervisedApp.phaseNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.app.HandoffSignal;
import dev.baton.agent.app.Pids;
import dev.baton.agent.app.ProcessControlConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code systemd} strategy against a real systemd 252 booted in a systemd-nspawn container: the unit is the app;
 * drain is the unit's stop (SIGTERM, TimeoutStopSec), a hand-off is {@code systemctl reload} with ExecReload sending
 * SIGHUP, and systemd follows the successor through the unit's PIDFile=.
 */
class SystemdProcessControlTest {

    private static final String UNIT = "baton-demo.service";

    private SupervisedApp app;
    private SystemdContainer systemd;

    @BeforeAll
    static void buildReleases() throws Exception {
        SystemdContainer.requireTools();
        SupervisedApp.buildReleases();
    }

    @AfterAll
    static void removeReleases() throws Exception {
        SupervisedApp.removeReleases();
    }

    @BeforeEach
    void bootSystemdAndStartAgent() throws Exception {
        app = new SupervisedApp();
        Path unit = app.sandbox.resolve(UNIT);
        Files.writeString(unit, String.join("\n",
                "[Unit]",
                "Description=Baton demo app",
                "[Service]",
                "Type=simple",
                "ExecStart=" + app.appCommandLine("HUP"),
                // minbase has no /bin/kill; the shell's kill does the same
                "ExecReload=/bin/sh -c \"kill -HUP $MAINPID\"",
                // how systemd learns the hand-off successor's pid when the old main process exits
                "PIDFile=" + app.home.resolve("app.pid"),
                "KillSignal=SIGTERM",
                "TimeoutStopSec=30",
                ""));
        systemd = SystemdContainer.boot(app.sandbox, unit, UNIT);
        app.onClose(systemd);
        app.startAgent(ProcessControlConfig.systemd(UNIT, systemd.systemctl().toString(), HandoffSignal.HUP));
    }

    @AfterEach
    void stopEverything() throws Exception {
        app.close();
    }

    @Test
    void stopStartIsTheUnitsStopAndStart() throws Exception {
        JsonNode first = app.restart(SupervisedApp.v1(), "stop-start");
        assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(first)).containsExactly("fetch", "drain", "switch", "start", "ready");
        assertThat(phase(first, "drain").path("state").asText()).isEqualTo("SKIPPED");
        long oldPid = first.path("newPid").asLong();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("1.0.0", inner(oldPid)));

        CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(app.appUri("/work?ms=2000")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        JsonNode second = app.restart(SupervisedApp.v2(), "stop-start");

        assertThat(second.path("state").asText()).as(second.toString()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(second)).containsExactly("fetch", "drain", "switch", "start", "ready");
        assertThat(phase(second, "drain").path("detail").asText()).contains("exited after").contains("stop " + UNIT);
        assertThat(phase(second, "drain").path("durationMs").asLong()).isGreaterThan(1_000);
        HttpResponse<String> slow = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slow.body()).contains("1.0.0");
        long newPid = second.path("newPid").asLong();
        assertThat(second.path("oldPid").asLong()).isEqualTo(oldPid);
        assertThat(newPid).isNotEqualTo(oldPid);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("2.0.0", inner(newPid)));
        assertThat(systemd.run("show", "-p", "MainPID", "--value", UNIT)).isEqualTo(Long.toString(newPid));
        assertThat(systemd.run("is-active", UNIT)).isEqualTo("active");
    }

    @Test
    void handOffIsSystemctlReloadAndSystemdFollowsTheSuccessor() throws Exception {
        SupervisedApp.HandOff done = app.handOffWhileProbing(null);
        long oldPid = done.oldPid();
        JsonNode handOff = done.operation();
        assertThat(phaseNames(handOff)).containsExactly("fetch", "switch", "signal", "ready", "drain");
        assertThat(phase(handOff, "signal").path("detail").asText()).contains("reload " + UNIT);
        long newPid = handOff.path("newPid").asLong();
        assertThat(newPid).isNotEqualTo(oldPid);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> app.served().pid() == inner(newPid));
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("2.0.0", inner(newPid)));
        assertThat(systemd.run("show", "-p", "MainPID", "--value", UNIT)).isEqualTo(Long.toString(newPid));
        assertThat(systemd.run("is-active", UNIT)).isEqualTo("active");
        assertThat(app.api().get("/v1/status").body().path("pid").asLong()).isEqualTo(newPid);
    }

    private long inner(long hostPid) {
        app.sawPid(hostPid);
        return SystemdContainer.innerPid(hostPid).orElseThrow();
    }
}
