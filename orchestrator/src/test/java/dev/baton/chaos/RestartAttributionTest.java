package dev.baton.chaos;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How the suite tells two servers acting at once from one server taking over after another was killed. */
class RestartAttributionTest {
    private static final Instant T0 = Instant.parse("2026-11-29T04:00:00Z");

    private static AgentRestarts.Restart restart(String host, int second, String version) {
        return new AgentRestarts.Restart(host, T0.plusSeconds(second), "op-" + second, version);
    }

    @Test
    void twoRestartsToOneReleaseWithNoKillBetweenAreTwoActorsAtOnce() {
        var ops = Map.of("web-2", List.of(restart("web-2", 1, "2.0.1"), restart("web-2", 30, "2.0.1")));
        assertThat(ChaosSuite.twice(ops, List.of())).singleElement().asString().contains("web-2 restarted 2 times to 2.0.1");
    }

    @Test
    void aRestartAgainAfterTheFirstServerWasKilledIsOnlyANote() {
        var ops = Map.of("web-2", List.of(restart("web-2", 1, "2.0.1"), restart("web-2", 30, "2.0.1")));
        List<Instant> kills = List.of(T0.plusSeconds(5));
        assertThat(ChaosSuite.twice(ops, kills)).isEmpty();
        assertThat(ChaosSuite.rolledAgain(ops, kills)).containsExactly("web-2 restarted to 2.0.1 again after the server was killed");
    }

    @Test
    void aRollbackToAnotherReleaseIsNotADoubleRestart() {
        var ops = Map.of("web-1", List.of(restart("web-1", 1, "2.0.1"), restart("web-1", 9, "1.0.0")));
        assertThat(ChaosSuite.twice(ops, List.of())).isEmpty();
        assertThat(ChaosSuite.rolledAgain(ops, List.of())).isEmpty();
    }
}
