package dev.baton.cli;

import dev.baton.api.BatonServer;
import dev.baton.server.Api;
import dev.baton.server.ServerFixture;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The command line against a real server: apply --wait, status, logs, pause/resume, and its one-line refusals. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteCliTest {
    private static String applied;

    @RegisterExtension
    static final ServerFixture fixture = new ServerFixture();

    @Test
    @Order(1)
    void applyWaitPrintsEveryEventAsTheLocalModeDoesAndExits0() throws Exception {
        Path plan = fixture.fleet().writePlan("2.0.0", null);
        Cli run = cli(Map.of("BATON_TOKEN", fixture.harness().deployer), "apply", plan.toString(), "--server", fixture.server().url(), "--wait");

        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).containsPattern("(?m)^rollout (r-\\d{8}-\\d{4}) started on " + fixture.server().url());
        assertThat(run.output).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  web-1 +LEAVE +ok +\\S+  in maintenance \\(registration kept\\)");
        assertThat(run.output).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  web-3 +JOIN +ok ");
        assertThat(run.output).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  \\* +ROLLOUT +ok ");
        assertThat(run.output.strip()).endsWith("rollout succeeded: 3 hosts on 2.0.0");
        applied = run.output.lines().filter(l -> l.startsWith("rollout r-")).findFirst().orElseThrow().split(" ")[1];
        assertThat(fixture.api().rollout(applied, fixture.harness().viewer).path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(2)
    void anInvalidPlanExits2WithTheServersLine() throws Exception {
        Path plan = fixture.fleet().workDir().resolve("invalid.yaml");
        Files.writeString(plan, "service: web\nversion: 2.0.0\nartifact: { url: http://x/y, sha256: abc }\n");
        Cli run = cli(Map.of("BATON_TOKEN", fixture.harness().deployer, "BATON_SERVER", fixture.server().url()), "apply", plan.toString(), "--wait");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).isEqualTo("baton: plan:3:38: artifact.sha256: \"abc\" is not valid "
                + "(64 hex digits: the sha256 of the artifact)");
    }

    @Test
    @Order(3)
    void statusListsTheRolloutsAndShowsOneWithItsHostsAndLogsPrintsItsEvents() throws Exception {
        Map<String, String> env = Map.of("BATON_TOKEN", fixture.harness().viewer, "BATON_SERVER", fixture.server().url());
        Cli list = cli(env, "status");
        assertThat(list.exit).as(list.output).isZero();
        assertThat(list.output).contains("ID").containsPattern(applied + " +web +2\\.0\\.0 +SUCCEEDED .* 3/3 done");

        Cli one = cli(env, "status", applied);
        assertThat(one.exit).as(one.output).isZero();
        assertThat(one.output).contains(applied + "  web -> 2.0.0  SUCCEEDED")
                .containsPattern("web-1 +" + fixture.fleet().hosts().get(0).address().replace(".", "\\.") + " +DONE +JOIN +2\\.0\\.0")
                .contains("summary: 3 hosts on 2.0.0");

        Cli json = cli(env, "status", applied, "-o", "json");
        assertThat(json.exit).isZero();
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.output);
        assertThat(doc.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(doc.path("hosts").findValuesAsText("state")).containsOnly("DONE");
        assertThat(doc.path("hosts").findValuesAsText("version")).containsOnly("2.0.0");

        Cli logs = cli(env, "logs", applied);
        assertThat(logs.exit).isZero();
        int events = fixture.api().rollout(applied, fixture.harness().viewer).path("events").size();
        assertThat(logs.output.lines().count()).isEqualTo(events);
        Cli follow = cli(env, "logs", applied, "--follow");
        assertThat(follow.exit).isZero();
        assertThat(follow.output.strip()).endsWith("rollout " + applied + " ended SUCCEEDED");

        Cli unknown = cli(env, "status", "r-20990101-0001");
        assertThat(unknown.exit).isEqualTo(2);
        assertThat(unknown.output.strip()).isEqualTo("baton: no rollout r-20990101-0001");
    }

    @Test
    @Order(4)
    void pauseAndResumeARunningRollout() throws Exception {
        String id = fixture.api().start(fixture.harness().plan("3.0.0", Duration.ofSeconds(2)), fixture.harness().deployer);
        Map<String, String> env = Map.of("BATON_TOKEN", fixture.harness().deployer, "BATON_SERVER", fixture.server().url());

        Cli pause = cli(env, "pause", id);
        assertThat(pause.exit).as(pause.output).isZero();
        assertThat(pause.output).contains(id + ": pause sent");
        await().atMost(Duration.ofMinutes(2)).until(() -> fixture.api().rollout(id, fixture.harness().viewer).path("status").asText().equals("PAUSED"));
        assertThat(cli(env, "status", id).output).contains("PAUSED").contains("possible now: resume, abort, rollback");

        Cli again = cli(env, "pause", id);
        assertThat(again.exit).isEqualTo(2);
        assertThat(again.output.strip()).startsWith("baton: cannot pause " + id + ": it is PAUSED");

        Cli resume = cli(env, "resume", id);
        assertThat(resume.exit).as(resume.output).isZero();
        Cli viewer = cli(Map.of("BATON_TOKEN", fixture.harness().viewer, "BATON_SERVER", fixture.server().url()), "abort", id);
        assertThat(viewer.exit).isEqualTo(2);
        assertThat(viewer.output.strip()).startsWith("baton: not allowed with the token in BATON_TOKEN: the viewer role");
        await().atMost(Duration.ofMinutes(2)).until(() -> fixture.api().rollout(id, fixture.harness().viewer).path("status").asText().equals("SUCCEEDED"));
    }

    @Test
    @Order(5)
    void aMissingOrUnknownTokenAndAnUnreachableServerAreOneLineAndExit2() throws Exception {
        Path plan = fixture.fleet().writePlan("2.0.0", null);
        Cli none = cli(Map.of(), "status", "--server", fixture.server().url());
        assertThat(none.exit).isEqualTo(2);
        assertThat(none.output.strip()).isEqualTo("baton: environment variable BATON_TOKEN is not set: it holds your Baton API token");

        Cli bad = cli(Map.of("BATON_TOKEN", "wrong"), "apply", plan.toString(), "--server", fixture.server().url());
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.output.strip()).isEqualTo("baton: the server at " + fixture.server().url() + " does not accept the token in BATON_TOKEN (unknown token)");

        Cli noServer = cli(Map.of("BATON_TOKEN", fixture.harness().viewer), "status");
        assertThat(noServer.exit).isEqualTo(2);
        assertThat(noServer.output.strip()).isEqualTo("baton: no server: give --server URL or set BATON_SERVER");

        Cli unreachable = cli(Map.of("BATON_TOKEN", fixture.harness().viewer), "status", "--server", "http://127.0.0.1:9");
        assertThat(unreachable.exit).isEqualTo(2);
        assertThat(unreachable.output.strip()).startsWith("baton: cannot reach the Baton server at http://127.0.0.1:9").doesNotContain("\n");
    }

    @Test
    @Order(6)
    void theServerRefusesToStartWithABadTokensFileInOneLine() throws Exception {
        Path missing = fixture.fleet().workDir().resolve("no-such-tokens");
        Cli run = cli(Map.of(), "server", "--listen", "127.0.0.1:0", "--consul", fixture.fleet().consulAddress(), "--tokens-file", missing.toString());
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).isEqualTo("baton: " + missing + ": no such tokens file");

        Path unknownRole = fixture.fleet().workDir().resolve("tokens-bad-role");
        Files.writeString(unknownRole, "viewer abcdefabcdef\nroot 0123456789abcdef\n");
        run = cli(Map.of(), "server", "--listen", "127.0.0.1:0", "--consul", fixture.fleet().consulAddress(), "--tokens-file", unknownRole.toString());
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).isEqualTo("baton: " + unknownRole + ":2: unknown role \"root\" (roles: viewer, deployer, admin)");

        Path empty = fixture.fleet().workDir().resolve("tokens-empty");
        Files.writeString(empty, "# nobody yet\n");
        run = cli(Map.of(), "server", "--listen", "127.0.0.1:0", "--consul", fixture.fleet().consulAddress(), "--tokens-file", empty.toString());
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).startsWith("baton: " + empty + ": no tokens");

        run = cli(Map.of("BATON_AGENT_TOKEN", fixture.fleet().agentToken()), "server", "--listen", "127.0.0.1:0", "--consul", "http://127.0.0.1:9", "--tokens-file",
                fixture.harness().tokensFile(fixture.fleet().workDir()).toString());
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).startsWith("baton: Consul at 127.0.0.1:9 is unreachable").doesNotContain("\n");
    }

    @Test
    @Order(7)
    void aWriteSentToAFollowerIsFollowedOnceToTheLeader() throws Exception {
        Path plan = fixture.fleet().writePlan("5.0.0", null);
        try (BatonServer follower = fixture.harness().start()) {
            assertThat(follower.leading()).isFalse();
            Cli run = cli(Map.of("BATON_TOKEN", fixture.harness().deployer), "apply", plan.toString(), "--server", follower.url(), "--wait");
            assertThat(run.exit).as(run.output).isZero();
            assertThat(run.output).contains("baton: " + follower.url() + " is a follower; sending this to the leader at "
                    + fixture.server().url());
            assertThat(run.output).containsPattern("(?m)^rollout r-\\d{8}-\\d{4} started on " + fixture.server().url());
        }
    }

    private record Cli(int exit, String output) {
    }

    /** Runs the real command line in its own JVM with exactly the given Baton variables. */
    private static Cli cli(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.baton.cli.BatonMain"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        for (String name : new HashMap<>(environment).keySet()) {
            if (name.startsWith("BATON_TOKEN") || name.startsWith("BATON_SERVER") || name.equals("BATON_AGENT_TOKEN")) environment.remove(name);
        }
        environment.putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        System.out.println("$ baton " + String.join(" ", args) + "\n" + output);
        return new Cli(process.exitValue(), output);
    }
}
