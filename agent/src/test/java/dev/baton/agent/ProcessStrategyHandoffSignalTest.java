package dev.baton.agent;

import static dev.baton.agent.SupervisedApp.phase;
import static dev.baton.agent.SupervisedApp.phaseNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.app.HandoffSignal;
import dev.baton.agent.app.Pids;
import dev.baton.agent.app.ProcessControlConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code process} strategy with {@code --handoff-signal HUP}, for apps that hand off on SIGHUP (endless,
 * tableflip): the demo app run with -handoff-signal HUP would die of a SIGUSR2, so only the configured signal works.
 */
class ProcessStrategyHandoffSignalTest {

    private SupervisedApp app;

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
        app.startAgent("demo-app -listen 127.0.0.1:" + app.appPort + " -pidfile {pidfile} -handoff-signal HUP",
                ProcessControlConfig.defaults().withHandoffSignal(HandoffSignal.HUP));
    }

    @AfterEach
    void stopEverything() throws Exception {
        app.close();
    }

    @Test
    void handsOffWithSighup() throws Exception {
        SupervisedApp.HandOff done = app.handOffWhileProbing(null);
        long oldPid = done.oldPid();
        JsonNode handOff = done.operation();
        assertThat(phaseNames(handOff)).containsExactly("fetch", "switch", "signal", "ready", "drain");
        assertThat(phase(handOff, "signal").path("detail").asText()).isEqualTo("SIGHUP sent to pid " + oldPid);
        long newPid = handOff.path("newPid").asLong();
        assertThat(newPid).isNotEqualTo(oldPid);
        assertThat(Pids.isAlive(oldPid)).isFalse();
        assertThat(app.served()).isEqualTo(new SupervisedApp.Served("2.0.0", newPid));
    }
}
