package dev.baton.agent.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.AgentHome;
import dev.baton.agent.app.Pids;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookRunnerTest {

    @TempDir
    Path home;
    private final List<Long> leftovers = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (long pid : leftovers) {
            Pids.kill(pid);
            Pids.waitForExit(pid, Duration.ofSeconds(5));
        }
    }

    @Test
    void theEnvironmentIsPathHomeLangAndTheGivenVariablesOnly() throws Exception {
        Map<String, String> environment = Map.of("PATH", System.getenv("PATH"), "HOME", "/root", "AGENT_TOKEN", "s3cret",
                "ALSO_TOKEN", " s3cret\n", "OTHER", "s3cret-but-longer", "LD_PRELOAD", "/tmp/evil.so");
        HookRunner runner = new HookRunner(new AgentHome(home), environment, null);

        HookResult result = runner.run(plan("env", Duration.ofSeconds(10), Map.of("BATON_GIVEN", "yes")));

        java.util.Set<String> names = new java.util.TreeSet<>();
        result.output().lines().forEach(line -> names.add(line.substring(0, line.indexOf('='))));
        // sh itself adds PWD (and, on some systems, SHLVL and _).
        names.removeAll(java.util.Set.of("PWD", "SHLVL", "_"));
        assertThat(names).containsExactly("BATON_GIVEN", "HOME", "LANG", "PATH");
        assertThat(result.output()).doesNotContain("s3cret", "evil");
    }

    @Test
    void aCommandIgnoringSigtermIsKilledTwoSecondsLater() throws Exception {
        HookRunner runner = new HookRunner(new AgentHome(home), System.getenv(), null);

        // Whether the shell or its sleep gets the SIGKILL first, the shell ends with the status of a killed process.
        HookResult result = runner.run(plan("trap '' TERM; echo $$; sleep 30 & echo $!; wait $!",
                Duration.ofMillis(300), Map.of()));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(128 + 9);
        assertThat(result.durationMs()).isBetween(2_300L, 4_000L);
        List<String> pids = result.output().lines().toList();
        assertThat(pids).hasSize(2);
        for (String pid : pids) {
            assertThat(Pids.isAlive(Long.parseLong(pid))).as("pid %s", pid).isFalse();
        }
    }

    @Test
    void aBackgroundProcessHoldingTheOutputDoesNotHoldTheAnswer() throws Exception {
        HookRunner runner = new HookRunner(new AgentHome(home), System.getenv(), null);

        HookResult result = runner.run(plan("sleep 30 & echo $!", Duration.ofSeconds(10), Map.of()));
        leftovers.add(Long.parseLong(result.output().trim()));

        assertThat(result.timedOut()).isFalse();
        assertThat(result.exitCode()).isZero();
        assertThat(result.durationMs()).isLessThan(2_000);
    }

    private static HookPlan plan(String command, Duration timeout, Map<String, String> env) {
        return new HookPlan("test", command, timeout, env);
    }
}
