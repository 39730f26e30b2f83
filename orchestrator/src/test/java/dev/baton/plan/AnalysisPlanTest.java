package dev.baton.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnalysisPlanTest {
    private static final String VALID = """
            service: web
            version: 2.4.1
            artifact: { url: "http://artifacts.local/web/{version}.tar.gz", sha256: "%s" }
            loadBalancer: { haproxy: { runtime: "unix:/run/haproxy/admin.sock", backend: app } }
            """.formatted("ab".repeat(32));

    private final PlanLoader loader = new PlanLoader();

    @Test
    void noSectionNoGateAndTrafficSampledEverySecond() {
        Plan plan = loader.parse("p.yaml", VALID);
        assertThat(plan.analysis()).isNull();
        assertThat(plan.loadBalancer().sampleTraffic()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fillsDefaults() {
        Plan.Analysis analysis = loader.parse("p.yaml", VALID + "analysis: {}\n").analysis();
        assertThat(analysis).isEqualTo(new Plan.Analysis(Plan.AnalysisSource.LOAD_BALANCER, Duration.ofSeconds(10), Duration.ofMinutes(1),
                0.995, null, Plan.CompareTo.BASELINE, 100, 0, Plan.OnFailure.ROLLBACK, Plan.OnInconclusive.PAUSE, Plan.Promote.OPERATOR, null));
    }

    @Test
    void readsEveryField() {
        Plan plan = loader.parse("p.yaml", VALID.replace("backend: app }", "backend: app }, sampleTraffic: 2s") + """
                strategy: { canary: 1 }
                analysis:
                  source: loadBalancer
                  interval: 5s
                  window: 30s
                  successRate: ">= 99.9%"
                  p99: "<= 300ms"
                  compareTo: absolute
                  minRequests: 200
                  failureLimit: 2
                  onFailure: pause
                  onInconclusive: continue
                  promote: auto
                """);
        assertThat(plan.loadBalancer().sampleTraffic()).isEqualTo(Duration.ofSeconds(2));
        assertThat(plan.analysis()).isEqualTo(new Plan.Analysis(Plan.AnalysisSource.LOAD_BALANCER, Duration.ofSeconds(5),
                Duration.ofSeconds(30), 0.999, Duration.ofMillis(300), Plan.CompareTo.ABSOLUTE, 200, 2, Plan.OnFailure.PAUSE,
                Plan.OnInconclusive.CONTINUE, Plan.Promote.AUTO, null));
    }

    @Test
    void prometheusQueriesInsteadOfTheLoadBalancer() {
        String noLb = VALID.substring(0, VALID.indexOf("loadBalancer"));
        Plan.Analysis analysis = loader.parse("p.yaml", noLb + """
                analysis:
                  source: prometheus
                  p99: "<= 250ms"
                  prometheus:
                    url: http://127.0.0.1:9090
                    requests: sum by (instance) (demo_http_requests_total)
                    failed: sum by (instance) (demo_http_requests_total{code=~"5.."})
                    p99Ms: 1000 * histogram_quantile(0.99, sum by (instance, le) (rate(demo_http_request_duration_seconds_bucket[30s])))
                """).analysis();
        assertThat(analysis.source()).isEqualTo(Plan.AnalysisSource.PROMETHEUS);
        assertThat(analysis.prometheus()).isEqualTo(new Plan.PrometheusQueries("http://127.0.0.1:9090",
                "sum by (instance) (demo_http_requests_total)", "sum by (instance) (demo_http_requests_total{code=~\"5..\"})",
                "1000 * histogram_quantile(0.99, sum by (instance, le) (rate(demo_http_request_duration_seconds_bucket[30s])))"));
    }

    static Stream<Arguments> malformed() {
        String noLb = VALID.substring(0, VALID.indexOf("loadBalancer"));
        return Stream.of(
                Arguments.of(noLb + "analysis: { window: 1m }\n", "p.yaml:4:11: analysis: source loadBalancer needs a top-level loadBalancer section"),
                Arguments.of(VALID + "analysis: { source: graphite }\n", "p.yaml:5:21: analysis.source: \"graphite\" is not one of loadBalancer, prometheus"),
                Arguments.of(VALID + "analysis: { source: prometheus }\n", "p.yaml:5:21: analysis.source: prometheus needs analysis.prometheus: { url, requests, failed, p99Ms }"),
                Arguments.of(VALID + "analysis: { prometheus: { url: \"http://p:9090\" } }\n", "p.yaml:5:25: analysis.prometheus: only with source: prometheus"),
                Arguments.of(VALID + "analysis: { source: prometheus, prometheus: { url: \"ftp://p\", requests: r, failed: f } }\n",
                        "p.yaml:5:52: analysis.prometheus.url: \"ftp://p\" is not valid"),
                Arguments.of(VALID + "analysis: { source: prometheus, p99: \"<= 1s\", prometheus: { url: \"http://p:9090\", requests: r, failed: f } }\n",
                        "p.yaml:5:38: analysis.p99: needs analysis.prometheus.p99Ms"),
                Arguments.of(VALID + "analysis: { successRate: 99.5 }\n", "p.yaml:5:26: analysis.successRate: \"99.5\" is not a success rate (write e.g. \">= 99.5%\")"),
                Arguments.of(VALID + "analysis: { successRate: \">= 120%\" }\n", "p.yaml:5:26: analysis.successRate: 120.0% is out of range (0..100%]"),
                Arguments.of(VALID + "analysis: { p99: \"< 300ms\" }\n", "p.yaml:5:18: analysis.p99: \"< 300ms\" is not a latency bound (write e.g. \"<= 300ms\")"),
                Arguments.of(VALID + "analysis: { p99: \"<= fast\" }\n", "p.yaml:5:18: analysis.p99: \"fast\" is not a duration"),
                Arguments.of(VALID + "analysis: { interval: 10s, window: 5s }\n", "p.yaml:5:36: analysis.window: 5.0s is shorter than analysis.interval (10.0s)"),
                Arguments.of(VALID + "analysis: { interval: 500ms }\n", "p.yaml:5:23: analysis.interval: 500ms is out of range 1.0s..10m00s"),
                Arguments.of(VALID + "analysis: { minRequests: 0 }\n", "p.yaml:5:26: analysis.minRequests: 0 is out of range 1..1000000000"),
                Arguments.of(VALID + "analysis: { compareTo: canary }\n", "p.yaml:5:24: analysis.compareTo: \"canary\" is not one of baseline, absolute"),
                Arguments.of(VALID + "analysis: { onInconclusive: pass }\n", "p.yaml:5:29: analysis.onInconclusive: \"pass\" is not one of pause, rollback, continue"),
                Arguments.of(VALID + "analysis: { promote: auto }\n", "p.yaml:5:22: analysis.promote: auto needs strategy.canary: N"),
                Arguments.of(VALID + "strategy: { canary: 1, autoPromoteAfter: 1m }\nanalysis: { promote: auto }\n",
                        "p.yaml:6:22: analysis.promote: give either promote: auto"),
                Arguments.of(VALID + "analysis: { windw: 1m }\n", "p.yaml:5:20: analysis.windw: unknown field"),
                Arguments.of(VALID.replace("backend: app }", "backend: app }, sampleTraffic: 100ms"),
                        "p.yaml:4:100: loadBalancer.sampleTraffic: samples at most once a second"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void rejectsMalformedSectionsWithOneLineNamingWhereAndWhat(String text, String expected) {
        assertThatThrownBy(() -> loader.parse("p.yaml", text))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
