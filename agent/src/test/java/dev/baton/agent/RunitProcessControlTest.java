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
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code command} strategy with Debian's runit: a real {@code runsv} on a service directory in a temp dir,
 * driven only through {@code sv} (down, up, hup, status), as an operator would configure the agent.
 */
class RunitProcessControlTest {

    private SupervisedApp app;
    private Path service;

    @BeforeAll
    static void buildReleases() throws Exception {
        SupervisedApp.require("runsv", "runit");
        SupervisedApp.require("sv", "runit");
        SupervisedApp.buildReleases();
    }

    @AfterAll
    static void removeReleases() throws Exception {
        SupervisedApp.removeReleases();
    }

    @BeforeEach
    void startRunsvAndAgent() throws Exception {
        app = new SupervisedApp();
        service = app.sandbox.resolve("service/demo");
        Files.createDirectories(service);
        Path run = service.resolve("run");
        Files.writeString(run, "#!/bin/sh\nexec 2>&1\nexec " + app.appCommandLine("HUP") + "\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(service.resolve("down"), ""); // no release yet: runsv must not start the app by itself
        ProcessBuilder runsv = new ProcessBuilder(SupervisedApp.require("runsv", "runit").toString(), service.toString())
                .redirectErrorStream(true)
                .redirectOutput(app.sandbox.resolve("runsv.log").toFile());
        runsv.environment().clear();
        runsv.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        Process supervisor = runsv.start();
        app.onClose(() -> stopRunsv(supervisor));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(service.resolve("supervise/ok")));

        String dir = service.toString();
        app.startAgent(ProcessControlConfig.commands("sv -w 30 down " + dir, "sv up " + dir, "sv hup " + dir,
                "sv status " + dir, HandoffSignal.HUP));
    }

    @AfterEach
    void stopEverything() throws Exception {
        app.close();
    }

    @Test
    void stopStartRestartsTheAppThroughSvWithTheSamePhasesAsTheProcessStrategy() throws Exception {
        JsonNode first = app.restart(SupervisedApp.v1(), "stop-start");
        assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(first)).containsExactly("fetch", "drain", "switch", "start", "ready");
        assertThat(phase(first, "drain").path("state").asText()).isEqualTo("SKIPPED");
        long oldPid = first.path("newPid").asLong();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("1.0.0", oldPid));
        assertThat(supervisedPid()).isEqualTo(oldPid);

        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                HttpRequest.newBuilder(app.appUri("/work?ms=2000")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        JsonNode second = app.restart(SupervisedApp.v2(), "stop-start");

        assertThat(second.path("state").asText()).as(second.toString()).isEqualTo("SUCCEEDED");
        assertThat(phaseNames(second)).containsExactly("fetch", "drain", "switch", "start", "ready");
        for (JsonNode phase : second.path("phases")) {
            assertThat(phase.path("state").asText()).as(phase.toString()).isEqualTo("SUCCEEDED");
        }
        assertThat(phase(second, "drain").path("detail").asText()).contains("exited after").contains("sv -w 30 down");
        assertThat(phase(second, "drain").path("durationMs").asLong()).isGreaterThan(1_000);
        HttpResponse<String> slow = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slow.body()).contains("1.0.0");

        long newPid = second.path("newPid").asLong();
        assertThat(second.path("oldPid").asLong()).isEqualTo(oldPid);
        assertThat(newPid).isNotEqualTo(oldPid);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("2.0.0", newPid));
        assertThat(supervisedPid()).isEqualTo(newPid);
        assertThat(Files.readSymbolicLink(app.home.resolve("current"))).isEqualTo(Path.of("releases", "2.0.0"));
        JsonNode status = app.api().get("/v1/status").body();
        assertThat(status.path("pid").asLong()).isEqualTo(newPid);
        assertThat(status.path("running").asBoolean()).isTrue();
        assertThat(status.path("current").asText()).isEqualTo("2.0.0");
    }

    @Test
    void handOffThroughSvHupKeepsTheListeningSocketAndEndsWithRunsvWatchingTheNewRelease() throws Exception {
        // runsv's newcomer takes the listener over from the hand-off successor after the operation
        SupervisedApp.HandOff done = app.handOffWhileProbing(() -> runningPid() != 0 && app.served().pid() == runningPid());
        long oldPid = done.oldPid();
        JsonNode handOff = done.operation();
        assertThat(phaseNames(handOff)).containsExactly("fetch", "switch", "signal", "ready", "drain");
        assertThat(phase(handOff, "signal").path("detail").asText()).contains("sv hup");
        long newPid = handOff.path("newPid").asLong();
        assertThat(newPid).isNotEqualTo(oldPid);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        long supervised = supervisedPid();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("2.0.0", supervised));
        Thread.sleep(1_500);
        assertThat(supervisedPid()).as("runsv keeps one app running, no restart loop").isEqualTo(supervised);
        assertThat(app.api().get("/v1/status").body().path("pid").asLong()).isEqualTo(supervised);
    }

    /** runsv's child, or 0 while runsv is between two of them ("down: ..., want up"). */
    private long runningPid() throws Exception {
        long pid = MainPidOutput.parse(SupervisedApp.run(List.of("sv", "status", service.toString()))).orElse(0);
        if (pid != 0) app.sawPid(pid);
        return pid;
    }

    private long supervisedPid() throws Exception {
        String status = SupervisedApp.run(List.of("sv", "status", service.toString()));
        assertThat(status).startsWith("run:");
        long pid = MainPidOutput.parse(status).orElseThrow();
        app.sawPid(pid);
        return pid;
    }

    private void stopRunsv(Process runsv) throws Exception {
        SupervisedApp.run(List.of("sv", "-w", "10", "force-stop", service.toString()));
        SupervisedApp.run(List.of("sv", "exit", service.toString()));
        if (!runsv.waitFor(10, TimeUnit.SECONDS)) {
            runsv.destroyForcibly();
        }
    }
}
