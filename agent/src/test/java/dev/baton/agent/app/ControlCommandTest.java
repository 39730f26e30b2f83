package dev.baton.agent.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.AgentHome;
import dev.baton.agent.CleanEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Supervisor commands run as argv, with a clean environment plus the release variables, and bounded in time. */
class ControlCommandTest {

    @TempDir
    Path temp;

    @Test
    void commandsSeeTheReleaseOnlyAsVariablesAndNoneOfTheAgentsSecrets() throws Exception {
        AgentHome home = new AgentHome(temp.resolve("home"));
        Files.createDirectories(home.releases().resolve("2.0.0"));
        Files.createSymbolicLink(home.current(), Path.of("releases", "2.0.0"));
        ControlCommand runner = new ControlCommand(CleanEnvironment.base(System.getenv()));

        ControlCommand.Result result = runner.run(List.of("env"), new ReleaseEnvironment(home).variables(), Duration.ofSeconds(10));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.output().lines()).contains("BATON_VERSION=2.0.0",
                "BATON_RELEASE_DIR=" + home.releases().resolve("2.0.0"), "BATON_CURRENT=" + home.current());
        // surefire puts the agent's test token in the JVM's environment; commands never see it
        assertThat(result.output()).doesNotContain("agent-test-token");
    }

    @Test
    void aValueWithShellSyntaxStaysOneWord() throws Exception {
        ControlCommand runner = new ControlCommand(CleanEnvironment.base(System.getenv()));
        Path marker = temp.resolve("pwned");

        ControlCommand.Result result = runner.run(List.of("printf", "%s", "$(touch " + marker + "); echo hi"), Map.of(),
                Duration.ofSeconds(10));

        assertThat(result.output()).isEqualTo("$(touch " + marker + "); echo hi");
        assertThat(marker).doesNotExist();
    }

    @Test
    void aCommandPastItsTimeIsKilledAndABackgroundChildDoesNotHoldTheAnswer() throws Exception {
        ControlCommand runner = new ControlCommand(CleanEnvironment.base(System.getenv()));
        long started = System.nanoTime();
        assertThatThrownBy(() -> runner.run(List.of("sleep", "30"), Map.of(), Duration.ofMillis(300)))
                .isInstanceOf(ControlCommand.TimedOut.class)
                .hasMessage("'sleep 30' did not finish within 0.30s; killed it");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));

        started = System.nanoTime();
        ControlCommand.Result detached = runner.run(List.of("sh", "-c", "sleep 5 & echo started"), Map.of(), Duration.ofSeconds(10));
        assertThat(detached.output()).isEqualTo("started");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aMissingProgramIsAOneLineError() {
        ControlCommand runner = new ControlCommand(CleanEnvironment.base(System.getenv()));

        assertThatThrownBy(() -> runner.run(List.of("/nonexistent/sv", "up", "x"), Map.of(), Duration.ofSeconds(5)))
                .isNotInstanceOf(ControlCommand.TimedOut.class)
                .hasMessageStartingWith("cannot run '/nonexistent/sv up x': ");
    }
}
