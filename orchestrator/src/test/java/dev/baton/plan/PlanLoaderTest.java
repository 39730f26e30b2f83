package dev.baton.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanLoaderTest {
    private static final String SHA = "ab".repeat(32);
    private static final String VALID = """
            service: web
            version: 2.4.1
            artifact: { url: "http://artifacts.local/web/{version}.tar.gz", sha256: "%s" }
            """.formatted(SHA);

    private final PlanLoader loader = new PlanLoader();

    @Test
    void fillsDefaultsAndExpandsTheVersionInTheArtifactUrl() {
        Plan plan = loader.parse("p.yaml", VALID);
        assertThat(plan.artifact().url()).isEqualTo("http://artifacts.local/web/2.4.1.tar.gz");
        assertThat(plan.targets().consulService()).isEqualTo("web");
        assertThat(plan.targets().explicit()).isFalse();
        assertThat(plan.drain().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(plan.drain().propagation()).isEqualTo(new Plan.Propagation(List.of(Plan.PropagationCheck.CONSUL), null, Duration.ZERO,
                Duration.ofSeconds(60), Duration.ofMillis(500)));
        assertThat(plan.drain().mode()).isEqualTo(Plan.DrainMode.MAINTENANCE);
        assertThat(plan.health().path()).isEqualTo("/healthz");
        assertThat(plan.health().expectStatus()).isEqualTo(200);
        assertThat(plan.agent().port()).isEqualTo(7070);
    }

    @Test
    void readsEveryField() {
        Plan plan = loader.parse("p.yaml", VALID + """
                targets: { hosts: [10.0.0.1, 10.0.0.2] }
                consul: http://consul.local:8500
                agent: { port: 9000, scheme: https }
                drain: { timeout: 1m30s, propagation: { timeout: 45s } }
                restart: { strategy: stop-start, timeout: 10m }
                health: { http: { path: /ready, expect: 204, port: 9090, timeout: 500ms }, interval: 1s, deadline: 5m }
                """);
        assertThat(plan.targets().hosts()).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(plan.consulAddress()).isEqualTo("http://consul.local:8500");
        assertThat(plan.agent()).isEqualTo(new Plan.AgentAccess("https", 9000));
        assertThat(plan.drain().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(plan.drain().propagation().timeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(plan.restart()).isEqualTo(new Plan.Restart(Plan.RestartStrategy.STOP_START, Duration.ofMinutes(10)));
        assertThat(plan.health()).isEqualTo(new Plan.Health("/ready", 204, null, 9090, Duration.ofMillis(500),
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(5), true));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", "p.yaml:1:1: plan is empty"),
                Arguments.of("- a\n- b\n", "p.yaml:1:1: plan: a plan is a mapping of fields"),
                Arguments.of("service: web\nversion: [\n", "p.yaml:2:11: not valid YAML"),
                Arguments.of("version: 1\nartifact: {url: http://x, sha256: " + SHA + "}\n", "p.yaml:1:1: service: is required"),
                Arguments.of("service: web\nartifact: {url: http://x, sha256: " + SHA + "}\n", "p.yaml:1:1: version: is required"),
                Arguments.of("service: web\nversion: 1\n", "p.yaml:1:1: artifact: is required"),
                Arguments.of("service: web\nversion: ../../etc\nartifact: {url: http://x, sha256: " + SHA + "}\n",
                        "p.yaml:2:10: version: \"../../etc\" is not valid"),
                Arguments.of("service: web\nversion: 1..2\nartifact: {url: http://x, sha256: " + SHA + "}\n",
                        "p.yaml:2:10: version: \"1..2\" is not valid"),
                Arguments.of(VALID.replace(SHA, "xyz"), "p.yaml:3:73: artifact.sha256: \"xyz\" is not valid (64 hex digits"),
                Arguments.of(VALID.replace("http://", "ftp://"), "p.yaml:3:18: artifact.url: \"ftp://artifacts.local/web/{version}.t...\" is not valid (an http, https or file URL)"),
                Arguments.of(VALID + "drain: { timeout: 30x }\n", "p.yaml:4:19: drain.timeout: \"30x\" is not a duration (write e.g. 500ms, 30s, 2m, 1h)"),
                Arguments.of(VALID + "drain: { timeout: 2h }\n", "p.yaml:4:19: drain.timeout: 2h00m is out of range 1ms..1h00m"),
                Arguments.of(VALID + "drain: { timeot: 3s }\n", "p.yaml:4:18: drain.timeot: unknown field (known here: mode, timeout, propagation, restoreTimeout); did you mean \"timeout\"?"),
                Arguments.of(VALID + "colour: blue\n", "p.yaml:4:9: colour: unknown field"),
                Arguments.of(VALID + "restart: { strategy: reboot }\n", "p.yaml:4:22: restart.strategy: \"reboot\" is not one of stop-start"),
                Arguments.of(VALID + "agent: { port: 99999 }\n", "p.yaml:4:16: agent.port: 99999 is out of range 1..65535"),
                Arguments.of(VALID + "agent: { port: 99999999999999999999 }\n", "p.yaml:4:16: agent.port: \"99999999999999999999\" is not a whole number"),
                Arguments.of(VALID + "agent: { tokenEnv: SOME_SERVER_VARIABLE, port: 9999 }\n", "p.yaml:4:20: agent.tokenEnv: a plan "
                        + "cannot choose the agent token: it is configured on the server (BATON_AGENT_TOKEN or --agent-token-file); remove this field"),
                Arguments.of(VALID + "hooks: { beforeDeploy: [\"tr '\\\\0' '\\\\n' </proc/$PPID/environ\"] }\n", "p.yaml:4:25: hooks.beforeDeploy[0]: "
                        + "deploy hooks are names of hooks defined in the server's hooks file (e.g. notify-start), not commands: a plan cannot run commands on the orchestrator"),
                Arguments.of(VALID + "hooks: { afterDeploy: [{ command: \"id\" }] }\n", "p.yaml:4:24: hooks.afterDeploy[0]: "
                        + "deploy hooks are names of hooks defined in the server's hooks file (e.g. notify-start), not commands: a plan cannot run commands on the orchestrator"),
                Arguments.of(VALID + "targets: { hosts: [] }\n", "p.yaml:4:19: targets.hosts: lists no hosts"),
                Arguments.of(VALID + "targets: { hosts: [a, a] }\n", "p.yaml:4:23: targets.hosts[1]: \"a\" is listed twice"),
                Arguments.of(VALID + "targets: { hosts: [a], consul: { service: web } }\n", "p.yaml:4:10: targets: give either consul or hosts, not both"),
                Arguments.of(VALID + "health: { http: { path: healthz } }\n", "p.yaml:4:25: health.http.path: \"healthz\" is not valid"),
                Arguments.of(VALID + "health: { http: { expect: 42 } }\n", "p.yaml:4:27: health.http.expect: 42 is out of range 100..599"),
                Arguments.of(VALID + "restart: { timeout: 1m }\n", "p.yaml:4:10: restart.timeout: 1m00s must be longer than drain.timeout + health.deadline (2m30s)"),
                Arguments.of(VALID + "drain: { mode: none }\n", "p.yaml:4:16: drain.mode: \"none\" keeps the instance in rotation, which only a hand-off"),
                Arguments.of(VALID + "drain: { propagation: { verify: [loadBalancer] } }\n", "p.yaml:4:33: drain.propagation.verify: loadBalancer needs a top-level loadBalancer section"),
                Arguments.of(VALID + "drain: { propagation: { verify: [dns] } }\n", "p.yaml:4:34: drain.propagation.verify[0]: \"dns\" is not valid (consul, loadBalancer, traffic)"),
                Arguments.of(VALID + "drain: { propagation: { verify: [consul], sleep: 10s } }\n", "p.yaml:4:50: drain.propagation.sleep: give either verify (measured) or sleep (a fixed guess), not both"),
                Arguments.of(VALID + "drain: { propagation: { minWait: 2m, timeout: 1m } }\n", "p.yaml:4:34: drain.propagation.minWait: is longer than propagation.timeout"),
                Arguments.of(VALID + "loadBalancer: { haproxy: { runtime: \"http://x\", backend: web } }\n", "p.yaml:4:37: loadBalancer.haproxy.runtime: \"http://x\" is not valid"),
                Arguments.of(VALID + "strategy: { batch: \"150%\" }\n", "p.yaml:4:20: strategy.batch: 150% is over 100%"),
                Arguments.of(VALID + "strategy: { batch: 0 }\n", "p.yaml:4:20: strategy.batch: 0 is out of range 1..10000"),
                Arguments.of(VALID + "strategy: { batch: two }\n", "p.yaml:4:20: strategy.batch: \"two\" is neither a count (2) nor a percentage (\"25%\")"),
                Arguments.of(VALID + "targets: { hosts: [a, b] }\nstrategy: { batch: 3 }\n", "p.yaml:5:20: strategy.batch: a batch of 3 is larger than the fleet (2 hosts in targets.hosts)"),
                Arguments.of(VALID + "targets: { hosts: [a] }\nstrategy: { canary: 2 }\n", "p.yaml:5:21: strategy.canary: 2 canaries is more than the fleet (1 hosts)"),
                Arguments.of(VALID + "strategy: { autoPromoteAfter: 5m }\n", "p.yaml:4:31: strategy.autoPromoteAfter: needs canary: N"),
                Arguments.of(VALID + "strategy: { onFailure: retry }\n", "p.yaml:4:24: strategy.onFailure: \"retry\" is not one of rollback, pause, abort"),
                Arguments.of(VALID + "strategy: { maxFailures: -1 }\n", "p.yaml:4:26: strategy.maxFailures: \"-1\" is neither a count"),
                Arguments.of(VALID + "strategy: { groupBy: { zone: a } }\n", "p.yaml:4:22: strategy.groupBy.nodeMeta: is required"),
                Arguments.of(VALID + "health: { minHealthyTime: 5m, deadline: 1m }\n", "p.yaml:4:27: health.minHealthyTime: must be shorter than health.deadline (1m00s)"),
                Arguments.of(VALID + "health: { consulChecks: maybe }\n", "p.yaml:4:25: health.consulChecks: \"maybe\" is not one of passing, ignore"),
                Arguments.of(VALID + "hooks: { beforeHost: \"echo hi\" }\n", "p.yaml:4:22: hooks.beforeHost: expected a list, found \"echo hi\""),
                Arguments.of(VALID + "hooks: { afterHost: [{ command: \"  \" }] }\n", "p.yaml:4:33: hooks.afterHost[0].command: \"  \" is not valid"),
                Arguments.of(VALID + "hooks: { afterHost: [{ command: x, timout: 1s }] }\n", "p.yaml:4:44: hooks.afterHost[0].timout: unknown field"),
                Arguments.of(VALID + "hooks: { duringHost: [x] }\n", "p.yaml:4:22: hooks.duringHost: unknown field"),
                Arguments.of(VALID + "health: [1, 2]\n", "p.yaml:4:9: health: expected a mapping (key: value), found a list"),
                Arguments.of(VALID + "service: api\n", "p.yaml:4:8: not valid YAML: Duplicate field 'service'"),
                Arguments.of(VALID + "---\nservice: api\n", "p.yaml:5: only one YAML document is allowed in a plan"),
                Arguments.of(aliasBomb(), "p.yaml:1:4: a: YAML anchors and aliases are not allowed in plans"),
                Arguments.of(VALID + "x: " + "[".repeat(40) + "]".repeat(40) + "\n", "p.yaml: plan is too large or too deeply nested"),
                Arguments.of("service: web\n".repeat(1) + "version: \"" + "9".repeat(300_000) + "\"\n", "p.yaml: plan is larger than 256 KiB"));
    }

    private static String aliasBomb() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'j'; c++) {
            yaml.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) yaml.append(i == 0 ? "" : ", ").append('*').append(prev);
            yaml.append("]\n");
            prev = c;
        }
        return yaml.toString();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void rejectsMalformedPlansWithOneLineNamingWhereAndWhat(String text, String expected) {
        assertThatThrownBy(() -> loader.parse("p.yaml", text))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMissingFileIsOneLine(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> loader.load(dir.resolve("nope.yaml"))).hasMessage(dir.resolve("nope.yaml") + ": no such file");
    }

    @Test
    void durationsReadAndPrintLikeHumansWriteThem() {
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(List.of(Durations.format(Duration.ofMillis(850)), Durations.format(Duration.ofMillis(1234)),
                Durations.format(Duration.ofSeconds(125)))).containsExactly("850ms", "1.2s", "2m05s");
    }
}
