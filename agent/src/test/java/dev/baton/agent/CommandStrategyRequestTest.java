package dev.baton.agent;

import static dev.baton.agent.SupervisedApp.phase;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.app.HandoffSignal;
import dev.baton.agent.app.ProcessControlConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command strategy's contract with requests, with plain recording scripts as the operator's commands. */
class CommandStrategyRequestTest {

    private SupervisedApp app;
    private Path record;

    @BeforeAll
    static void buildReleases() throws Exception {
        SupervisedApp.buildReleases();
    }

    @AfterAll
    static void removeReleases() throws Exception {
        SupervisedApp.removeReleases();
    }

    @BeforeEach
    void startAgent() throws Exception {
        app = new SupervisedApp();
        record = app.sandbox.resolve("record");
        Path start = app.sandbox.resolve("start");
        // records its argv and the release variables, then fails as a supervisor that cannot start the app would
        Files.writeString(start, "#!/bin/sh\nprintf '%s|' \"$@\" > " + record
                + "\necho \"$BATON_VERSION $BATON_RELEASE_DIR\" >> " + record + "\necho 'no such service' >&2\nexit 3\n");
        Files.setPosixFilePermissions(start, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        app.startAgent(ProcessControlConfig.commands("true", start + " web", null, "false", HandoffSignal.USR2));
    }

    @AfterEach
    void stopEverything() throws Exception {
        app.close();
    }

    @Test
    void aHandOffWithoutReloadCommandIsRefusedBeforeAnythingChanges() throws Exception {
        ApiClient.Answer answer = app.api().post("/v1/restarts", "{\"version\":\"1.0.0\",\"strategy\":\"handoff\","
                + "\"artifact\":{\"url\":\"http://127.0.0.1:1/x.tar.gz\",\"sha256\":\"" + "a".repeat(64) + "\"}}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().path("error").asText()).isEqualTo("strategy handoff needs --reload-command on this agent");
        assertThat(app.home.resolve("releases/1.0.0")).doesNotExist();
    }

    @Test
    void theVersionReachesCommandsOnlyThroughTheEnvironmentAndAFailedStartIsOneLine() throws Exception {
        JsonNode operation = app.restart(SupervisedApp.v1(), "stop-start");

        assertThat(operation.path("state").asText()).isEqualTo("FAILED");
        assertThat(phase(operation, "drain").path("state").asText()).isEqualTo("SKIPPED");
        assertThat(phase(operation, "switch").path("state").asText()).isEqualTo("SUCCEEDED");
        String error = operation.path("error").asText();
        assertThat(error).startsWith("start failed: '" + app.sandbox.resolve("start") + " web' exited 3: no such service")
                .doesNotContain("\n");
        assertThat(Files.readString(record)).isEqualTo("web|1.0.0 " + app.home.resolve("releases/1.0.0") + "\n");
    }
}
