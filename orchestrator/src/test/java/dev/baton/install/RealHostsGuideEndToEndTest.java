package dev.baton.install;

import dev.baton.bench.HeyLoad;
import dev.baton.cli.BatonCli;
import dev.baton.dist.Distribution;
import dev.baton.fleet.InstalledFleet;
import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Event;
import dev.baton.rollout.RolloutEngine;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.Step;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/real-hosts.md on loopback, as far as this machine allows: three hosts with sshd and runit supervising the app
 * get the agent from {@code baton agent install} (the packaged distribution, {@code --process command} driving
 * {@code sv}, the agent itself run by runit with the printed command), then a rollout through HAProxy under load
 * fails no request. What differs from the guide: no systemd runs here (the {@code --no-systemd} path, with
 * {@code --restart-command}); the hosts share a machine, so each gets its own {@code --config-dir} and
 * {@code --agent-home} (one install per host); plain HTTP to loopback agents instead of mutual TLS; the rollout runs
 * in the test's JVM instead of through {@code baton server}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealHostsGuideEndToEndTest {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
    private static InstalledFleet fleet;
    private static Distribution dist;

    @BeforeAll
    static void startFleet() throws Exception {
        dist = Distribution.get();
        fleet = InstalledFleet.start("web", 3);
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) fleet.close();
    }

    private static BatonCli.Run install(InstalledFleet.Host host) {
        String app = host.app().dir().toString();
        BatonCli.Run run = BatonCli.run("agent", "install", host.address(), "--ssh-key", fleet.identityFile().toString(),
                "--ssh-user", System.getProperty("user.name"), "--ssh-port", Integer.toString(InstalledFleet.SSH_PORT),
                "--known-hosts", fleet.knownHosts().toString(), "--dist", dist.tarball.toString(),
                "--token-file", fleet.tokenFile().toString(), "--prefix", fleet.prefix().toString(),
                "--config-dir", host.configDir().toString(), "--agent-home", host.agentHome().toString(),
                "--listen", "{host}:" + InstalledFleet.AGENT_PORT, "--ready-url", "http://{host}:" + InstalledFleet.APP_PORT + "/healthz",
                "--process", "command", "--stop-command", "sv -w 30 down " + app, "--start-command", "sv up " + app,
                "--status-command", "sv status " + app, "--reload-command", "sv hup " + app, "--handoff-signal", "HUP",
                "--no-systemd", "--restart-command", "sv restart " + host.agent().dir(), "--status-timeout", "90s");
        System.out.println(run.out() + run.err());
        return run;
    }

    private static String served(InstalledFleet.Host host) throws Exception {
        try (Response response = HTTP.newCall(new Request.Builder().url(host.appUrl() + "/").build()).execute()) {
            return response.body().string();
        }
    }

    @Test
    @Order(1)
    void bareSshHostsGetTheAgentFromBatonAgentInstall() throws Exception {
        for (InstalledFleet.Host host : fleet.hosts()) {
            BatonCli.Run run = install(host);
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            assertThat(run.out().strip()).startsWith(host.address() + ": installed " + dist.version)
                    .contains("ran the restart command").endsWith("; /v1/status answers " + dist.version);
            assertThat(host.agent().pid()).as("runit runs the agent").isNotZero();
        }
        // the printed command is what the operator's supervisor runs: the same as sv-agent's run script
        InstalledFleet.Host first = fleet.hosts().get(0);
        assertThat(Files.readString(first.agent().dir().resolve("run"))).contains("exec " + fleet.agentCommand(first.configDir()));
        BatonCli.Run again = install(first);
        assertThat(again.out().strip()).isEqualTo(first.address() + ": unchanged; /v1/status answers " + dist.version);
    }

    @Test
    @Order(2)
    void aRolloutThroughHaproxyWithTheCommandStrategyUnderRunitFailsNoRequest() throws Exception {
        fleet.deployFirstRelease("1.0.0");
        for (InstalledFleet.Host host : fleet.hosts()) assertThat(served(host)).contains("1.0.0");

        Rolled rolled = rollUnderLoad("2.0.0", "stop-start");
        RolloutResult result = rolled.result();
        HeyLoad.Report report = rolled.load();
        List<Event> events = rolled.events();

        assertThat(result.succeeded()).as(result.summary()).isTrue();
        assertThat(report.failed()).as(report.errors()).isZero();
        assertThat(report.requests()).isGreaterThan(300);
        for (InstalledFleet.Host host : fleet.hosts()) {
            assertThat(served(host)).contains("2.0.0");
            assertThat(served(host)).as("runit supervises the new release").contains("pid " + host.app().pid());
        }
        assertThat(events).filteredOn(e -> e.step() == Step.RESTART && e.outcome() == Event.Outcome.OK).hasSize(3)
                .allSatisfy(e -> assertThat(e.detail()).contains("sv -w 30 down"));
        assertThat(events).anyMatch(e -> e.step() == Step.PROPAGATE && e.outcome() == Event.Outcome.OK && e.detail().contains("traffic"));
    }

    private record Rolled(RolloutResult result, HeyLoad.Report load, List<Event> events) {
    }

    private static Rolled rollUnderLoad(String version, String strategy) throws Exception {
        Plan plan = new PlanLoader().load(fleet.writePlan(version, strategy));
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, HttpUrl.get(fleet.consulAddress()), null, fleet.agentToken(),
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
        System.out.println("installed-agent " + strategy + " rollout to " + version + " (--process command, runit) under load: requests="
                + report.requests() + " failed=" + report.failed());
        return new Rolled(result, report, events);
    }

    @Test
    @Order(3)
    void aHandOffThroughSvHupKeepsEveryInstanceInRotationAndFailsNoRequest() throws Exception {
        Rolled rolled = rollUnderLoad("3.0.0", "handoff");

        assertThat(rolled.result().succeeded()).as(rolled.result().summary()).isTrue();
        assertThat(rolled.load().failed()).as(rolled.load().errors()).isZero();
        assertThat(rolled.load().requests()).isGreaterThan(300);
        assertThat(rolled.events()).filteredOn(e -> e.step() == Step.LEAVE).allMatch(e -> e.outcome() == Event.Outcome.SKIPPED);
        assertThat(rolled.events()).filteredOn(e -> e.step() == Step.RESTART && e.outcome() == Event.Outcome.OK).hasSize(3)
                .allSatisfy(e -> assertThat(e.detail()).contains("sv hup"));
        for (InstalledFleet.Host host : fleet.hosts()) assertThat(served(host)).contains("3.0.0");
    }
}
