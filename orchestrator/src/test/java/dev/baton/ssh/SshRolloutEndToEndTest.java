package dev.baton.ssh;

import dev.baton.bench.HeyLoad;
import dev.baton.fleet.Artifacts;
import dev.baton.fleet.SshFleet;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.HookResult;
import dev.baton.rollout.Instance;
import dev.baton.rollout.RestartFailed;
import dev.baton.rollout.RestartOrder;
import dev.baton.rollout.RestartReport;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.Step;
import dev.baton.rollout.StepFailure;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Agentless hosts end to end: three hosts with only sshd and the demo app behind a real HAProxy on Consul DNS,
 * rolled over SSH under steady load, then the host control's edges on the same hosts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshRolloutEndToEndTest {
    private static SshFleet fleet;
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = SshFleet.start("web", 3, "1.0.0");
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) fleet.close();
    }

    private static SshHostControl control(boolean allowHooks) {
        return new SshHostControl(new SshConnector(fleet.sshSettings()), fleet.app(), allowHooks, "web");
    }

    private static Instance instance(SshFleet.Host host) {
        return new Instance(host.serviceId(), "web", "baton-dev", host.address(), SshFleet.APP_PORT);
    }

    private static String version(SshFleet.Host host) throws Exception {
        try (Response response = HTTP.newCall(new Request.Builder().url(host.appUrl() + "/version").build()).execute()) {
            return response.body().string();
        }
    }

    /** Gone, or a zombie: this machine's pid 1 does not always reap orphans, as a real init would. */
    private static boolean exited(long pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) return true;
        String text = Files.readString(stat);
        return text.substring(text.lastIndexOf(") ") + 2).startsWith("Z");
    }

    private record Rolled(RolloutResult result, HeyLoad.Report load, List<Event> events) {
    }

    private static Rolled rollUnderLoad(String version, boolean throughJumpHost) throws Exception {
        Plan plan = new PlanLoader().load(fleet.writePlan(version, null, throughJumpHost));
        assertThat(plan.restart().via()).isEqualTo(Plan.RestartVia.SSH);
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, (String) null,
                event -> {
                    events.add(event);
                    System.out.println(event);
                }));
        fleet.awaitLoadBalancerRoutesToAll();
        Path heyOutput = fleet.workDir().resolve("hey-" + version + ".txt");
        RolloutResult result;
        HeyLoad.Report report;
        try (HeyLoad load = new HeyLoad(fleet.loadBalancerUrl() + "/", 10, 50, 180, heyOutput)) {
            Thread.sleep(300);
            result = engine.run(plan);
            Thread.sleep(300);
            report = load.stop();
        }
        System.out.println(Files.readString(heyOutput));
        System.out.println("ssh rollout to " + version + (throughJumpHost ? " through the jump host" : "")
                + " under load: requests=" + report.requests() + " failed=" + report.failed());
        return new Rolled(result, report, events);
    }

    @Test
    @Order(1)
    void aRolloutOverSshUnderLoadFailsNoRequest() throws Exception {
        Rolled rolled = rollUnderLoad("2.0.0", false);

        assertThat(rolled.result().succeeded()).as(rolled.result().summary()).isTrue();
        assertThat(rolled.load().failed()).as(rolled.load().errors()).isZero();
        assertThat(rolled.load().requests()).isGreaterThan(300);
        for (SshFleet.Host host : fleet.hosts()) {
            assertThat(version(host)).contains("2.0.0");
            assertThat(Files.readSymbolicLink(host.root().resolve("current"))).isEqualTo(Path.of("releases/2.0.0"));
            assertThat(host.root().resolve("releases/1.0.0/demo-app")).exists();
        }
        List<Event> restarts = rolled.events().stream().filter(e -> e.step() == Step.RESTART && e.outcome() == Event.Outcome.OK).toList();
        assertThat(restarts).hasSize(3).allSatisfy(e -> assertThat(e.detail())
                .contains("drain").contains("(SIGTERM to pid").contains("switch").contains("current 1.0.0 -> 2.0.0")
                .contains("start").contains("ready"));
    }

    @Test
    @Order(2)
    void aRollbackSwitchesBackToTheInstalledReleaseAndReportsEachPhase() throws Exception {
        SshFleet.Host host = fleet.hosts().get(0);
        long before = Long.parseLong(Files.readString(host.root().resolve("app.pid")).strip());
        RestartOrder back = new RestartOrder("1.0.0", null, null, "stop-start", Duration.ofSeconds(30), Duration.ofSeconds(30));
        RestartReport report = control(false).restart(instance(host), back, Duration.ofMinutes(1));

        assertThat(report.phases()).extracting(RestartReport.Phase::name).containsExactly("fetch", "drain", "switch", "start", "ready");
        assertThat(report.phases()).extracting(RestartReport.Phase::state)
                .containsExactly("SKIPPED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED");
        assertThat(report.oldPid()).isEqualTo(before);
        assertThat(report.newPid()).isNotEqualTo(before).isEqualTo(Long.parseLong(Files.readString(host.root().resolve("app.pid")).strip()));
        assertThat(report.previousVersion()).isEqualTo("2.0.0");
        assertThat(exited(before)).as("pid %d exited", before).isTrue();
        assertThat(version(host)).contains("1.0.0");
    }

    @Test
    @Order(3)
    void aHostileVersionBecomesALiteralDirectoryNameAndRunsNothing() throws Exception {
        SshFleet.Host host = fleet.hosts().get(1);
        Artifacts.Artifact real = fleet.artifact("2.0.0");
        String hostile = "1.0'; touch baton-pwned; echo '";
        Path home = Path.of(System.getProperty("user.home"));
        Files.deleteIfExists(home.resolve("baton-pwned"));
        control(false).prepare(instance(host), new RestartOrder(hostile, real.url(), real.sha256(), "stop-start",
                Duration.ofSeconds(5), Duration.ofSeconds(5)));

        assertThat(host.root().resolve("releases").resolve(hostile).resolve("demo-app")).exists();
        assertThat(home.resolve("baton-pwned")).doesNotExist();
        assertThat(host.root().resolve("releases/baton-pwned")).doesNotExist();
    }

    @Test
    @Order(4)
    void aHostileUrlIsOnlyAFailedDownload() throws Exception {
        Files.deleteIfExists(Path.of("/tmp/pwned"));
        SshFleet.Host host = fleet.hosts().get(1);
        String hostile = "http://127.0.0.1:1/x'; touch /tmp/pwned; echo '$(touch /tmp/pwned)`touch /tmp/pwned`";
        assertThatThrownBy(() -> control(false).prepare(instance(host), new RestartOrder("9.9.9", hostile, "0".repeat(64),
                "stop-start", Duration.ofSeconds(5), Duration.ofSeconds(5))))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("download failed");
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
        assertThat(host.root().resolve("releases/9.9.9")).doesNotExist();

        // a version that could leave releases/ is refused before any command runs
        Artifacts.Artifact real = fleet.artifact("2.0.0");
        assertThatThrownBy(() -> control(false).prepare(instance(host), new RestartOrder("1.0'; touch /tmp/pwned; echo '", real.url(),
                real.sha256(), "stop-start", Duration.ofSeconds(5), Duration.ofSeconds(5))))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("cannot name a release directory");
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
    }

    @Test
    @Order(5)
    void aWrongChecksumIsRefusedBeforeAnythingChanges() throws Exception {
        SshFleet.Host host = fleet.hosts().get(2);
        Artifacts.Artifact real = fleet.artifact("2.0.0");
        String current = version(host);
        RestartOrder forged = new RestartOrder("2.0.1", real.url(), "a".repeat(64), "stop-start", Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThatThrownBy(() -> control(false).restart(instance(host), forged, Duration.ofMinutes(1)))
                .isInstanceOf(RestartFailed.class)
                .hasMessageContaining("fetch failed")
                .hasMessageContaining("sha256 mismatch")
                .satisfies(e -> assertThat(((RestartFailed) e).previousVersion()).isNull());
        assertThat(host.root().resolve("releases/2.0.1")).doesNotExist();
        assertThat(version(host)).isEqualTo(current);
    }

    @Test
    @Order(6)
    void hostHooksRunOverSshOnlyWhenAllowedWithTheirEnvironmentQuoted() throws Exception {
        Instance host = instance(fleet.hosts().get(0));
        Plan.Hook hook = new Plan.Hook("printf '%s|%s' \"$BATON_HOST\" \"$BATON_VERSION\"; exit 3", Duration.ofSeconds(10));
        Map<String, String> env = Map.of("BATON_HOST", host.address(), "BATON_VERSION", "1.0'; touch /tmp/pwned; echo '");
        assertThatThrownBy(() -> control(false).runHook(host, "before_host", hook, env))
                .isInstanceOf(StepFailure.class).hasMessageContaining("ssh.allowHooks: true");

        HookResult result = control(true).runHook(host, "before_host", hook, env);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.output()).isEqualTo(host.address() + "|1.0'; touch /tmp/pwned; echo '");
        assertThat(Path.of("/tmp/pwned")).doesNotExist();

        HookResult slow = control(true).runHook(host, "after_host", new Plan.Hook("sleep 30", Duration.ofSeconds(1)), env);
        assertThat(slow.timedOut()).isTrue();
        assertThat(slow.took()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @Order(7)
    void theTrafficCheckSaysItNeedsTheAgent() {
        assertThatThrownBy(() -> control(false).awaitQuiet(instance(fleet.hosts().get(0)), Duration.ofMillis(300), Duration.ofSeconds(1)))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("needs the Baton agent")
                .hasMessageContaining("consul and loadBalancer");
    }

    /**
     * A stand-in supervisor: its stop waits for the app to really exit, its start records the pid it launched in
     * app.pid, taking the app over from Baton (so Baton's record of the app's start time no longer applies).
     */
    private static Plan.SshApp supervised(String stop) {
        String start = "setsid ./demo-app -listen \"$BATON_HOST:" + SshFleet.APP_PORT + "\" -shutdown-timeout 30s "
                + "</dev/null >>\"$BATON_ROOT/app.log\" 2>&1 & echo $! > \"$BATON_ROOT/app.pid\"; rm -f \"$BATON_ROOT/app.pid.start\"";
        return new Plan.SshApp(fleet.appRoot(), start, stop, "cat \"$BATON_ROOT/app.pid\"", fleet.app().readyUrl());
    }

    private static final String STOP = "pid=$(cat \"$BATON_ROOT/app.pid\"); kill -TERM \"$pid\"; "
            + "while s=$(sed 's/.*) //' \"/proc/$pid/stat\" 2>/dev/null) && [ \"${s%% *}\" != Z ]; do sleep 0.05; done";

    @Test
    @Order(8)
    void aSupervisorsStopAndStartCommandsDrainAndStartTheApp() throws Exception {
        SshFleet.Host host = fleet.hosts().get(2);
        long before = Long.parseLong(Files.readString(host.root().resolve("app.pid")).strip());
        SshHostControl supervisor = new SshHostControl(new SshConnector(fleet.sshSettings()), supervised(STOP), false, "web");
        RestartOrder back = new RestartOrder("1.0.0", null, null, "stop-start", Duration.ofSeconds(30), Duration.ofSeconds(30));
        RestartReport report = supervisor.restart(instance(host), back, Duration.ofMinutes(1));

        assertThat(report.phases()).extracting(RestartReport.Phase::state)
                .containsExactly("SKIPPED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED");
        assertThat(report.oldPid()).isEqualTo(before);
        assertThat(exited(before)).isTrue();
        assertThat(report.newPid()).isNotEqualTo(before).isEqualTo(Long.parseLong(Files.readString(host.root().resolve("app.pid")).strip()));
        assertThat(version(host)).contains("1.0.0");
    }

    @Test
    @Order(9)
    void aFailingOrHangingStopCommandFailsTheDrainAndSwitchesNothing() throws Exception {
        SshFleet.Host host = fleet.hosts().get(2);
        Path current = Files.readSymbolicLink(host.root().resolve("current"));
        RestartOrder order = new RestartOrder("2.0.0", null, null, "stop-start", Duration.ofSeconds(1), Duration.ofSeconds(30));
        SshHostControl failing = new SshHostControl(new SshConnector(fleet.sshSettings()), supervised("echo unit web not loaded >&2; exit 5"), false, "web");
        assertThatThrownBy(() -> failing.restart(instance(host), order, Duration.ofMinutes(1)))
                .isInstanceOf(RestartFailed.class)
                .hasMessageContaining("drain failed: stop command exit 5: unit web not loaded")
                .satisfies(e -> assertThat(((RestartFailed) e).previousVersion()).isNull());

        SshHostControl hanging = new SshHostControl(new SshConnector(fleet.sshSettings()), supervised("sleep 60"), false, "web");
        long start = System.nanoTime();
        assertThatThrownBy(() -> hanging.restart(instance(host), order, Duration.ofMinutes(1)))
                .isInstanceOf(RestartFailed.class)
                .hasMessageContaining("drain failed: stop command did not finish within 1.0s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(Files.readSymbolicLink(host.root().resolve("current"))).isEqualTo(current);
        assertThat(version(host)).contains("1.0.0");
    }

    @Test
    @Order(10)
    void aRolloutThroughTheJumpHostUnderLoadFailsNoRequest() throws Exception {
        long loginsBefore = Files.readAllLines(fleet.jumpHost().log()).stream().filter(l -> l.contains("Accepted publickey")).count();
        Rolled rolled = rollUnderLoad("3.0.0", true);

        assertThat(rolled.result().succeeded()).as(rolled.result().summary()).isTrue();
        assertThat(rolled.load().failed()).as(rolled.load().errors()).isZero();
        for (SshFleet.Host host : fleet.hosts()) assertThat(version(host)).contains("3.0.0");
        long logins = Files.readAllLines(fleet.jumpHost().log()).stream().filter(l -> l.contains("Accepted publickey")).count();
        // PREPARE and RESTART each log in once per host, every time through the jump host
        assertThat(logins - loginsBefore).isGreaterThanOrEqualTo(6);
    }

    @Test
    @Order(11)
    void aPidFileNamingAnotherProcessIsNeverSignalled() throws Exception {
        SshFleet.Host host = fleet.hosts().get(1);
        Path pidFile = host.root().resolve("app.pid");
        Path startFile = host.root().resolve("app.pid.start");
        String pid = Files.readString(pidFile);
        String start = Files.readString(startFile);
        assertThat(start.strip()).matches("\\d+");
        Process stranger = new ProcessBuilder("setsid", "sleep", "60").start();
        try {
            Files.writeString(pidFile, stranger.pid() + "\n");
            RestartOrder order = new RestartOrder("2.0.0", null, null, "stop-start", Duration.ofSeconds(5), Duration.ofSeconds(30));
            assertThatThrownBy(() -> control(false).restart(instance(host), order, Duration.ofMinutes(1)))
                    .isInstanceOf(RestartFailed.class)
                    .hasMessageContaining("drain failed")
                    .hasMessageContaining("app.pid names pid " + stranger.pid() + ", which is not the app Baton started");
            assertThat(stranger.isAlive()).isTrue();
            assertThat(Files.readSymbolicLink(host.root().resolve("current"))).isEqualTo(Path.of("releases/3.0.0"));
        } finally {
            stranger.destroyForcibly();
            Files.writeString(pidFile, pid);
        }
        assertThat(version(host)).contains("3.0.0");
    }
}
