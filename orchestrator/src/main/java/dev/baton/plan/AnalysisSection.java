package dev.baton.plan;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plan's {@code analysis:} section: {@code source} (loadBalancer), {@code interval} (10s), {@code window} (1m),
 * {@code successRate} (">= 99.5%"), {@code p99} ("<= 300ms", optional), {@code compareTo} (baseline|absolute),
 * {@code minRequests} (100), {@code failureLimit} (0), {@code onFailure} (rollback|pause|abort),
 * {@code onInconclusive} (pause|rollback|continue) and {@code promote} (operator|auto). See {@link Plan.Analysis}.
 */
final class AnalysisSection {
    private static final Pattern SUCCESS_RATE = Pattern.compile(">=\\s*(\\d{1,3}(?:\\.\\d{1,4})?)\\s*%");
    private static final Pattern AT_MOST = Pattern.compile("<=\\s*(\\S+)");
    private static final Pattern PROMETHEUS_URL = Pattern.compile("https?://[^\\s/]{1,200}(/[^\\s]{0,200})?");
    private static final Pattern PROMQL = Pattern.compile("[^\\n]{1,2000}");

    private AnalysisSection() {
    }

    static Plan.Analysis read(Section analysis, Plan.LoadBalancerAccess loadBalancer, Plan.Strategy strategy) {
        Plan.AnalysisSource source = analysis.option("source", Plan.AnalysisSource.LOAD_BALANCER, Plan.AnalysisSource.values());
        Plan.PrometheusQueries prometheus = prometheus(analysis, source);
        if (source == Plan.AnalysisSource.LOAD_BALANCER && loadBalancer == null) {
            Node at = analysis.has("source") ? analysis.field("source") : analysis.node();
            throw PlanException.at(at, "source loadBalancer needs a top-level loadBalancer section "
                    + "(haproxy: { runtime: unix:/path/admin.sock, backend: web })");
        }
        Duration interval = analysis.duration("interval", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(10));
        Duration window = analysis.duration("window", Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofHours(24));
        if (window.compareTo(interval) < 0) {
            throw PlanException.at(analysis.field("window"), Durations.format(window) + " is shorter than analysis.interval ("
                    + Durations.format(interval) + ")");
        }
        double successRate = successRate(analysis);
        Duration p99 = p99(analysis);
        if (p99 != null && prometheus != null && prometheus.p99Ms() == null) {
            throw PlanException.at(analysis.field("p99"), "needs analysis.prometheus.p99Ms (the query that gives each instance's p99)");
        }
        Plan.Promote promote = analysis.option("promote", Plan.Promote.OPERATOR, Plan.Promote.values());
        if (promote == Plan.Promote.AUTO && strategy.canary() == 0) {
            throw PlanException.at(analysis.field("promote"), "auto needs strategy.canary: N (the hosts the analysis judges first)");
        }
        if (promote == Plan.Promote.AUTO && strategy.autoPromoteAfter() != null) {
            throw PlanException.at(analysis.field("promote"), "give either promote: auto (on a passing analysis) or "
                    + "strategy.autoPromoteAfter (after a healthy time), not both");
        }
        Plan.Analysis out = new Plan.Analysis(source, interval, window, successRate, p99,
                analysis.option("compareTo", Plan.CompareTo.BASELINE, Plan.CompareTo.values()),
                analysis.integer("minRequests", 100, 1, 1_000_000_000),
                analysis.integer("failureLimit", 0, 0, 1000),
                analysis.option("onFailure", Plan.OnFailure.ROLLBACK, Plan.OnFailure.values()),
                analysis.option("onInconclusive", Plan.OnInconclusive.PAUSE, Plan.OnInconclusive.values()),
                promote, prometheus);
        analysis.done();
        return out;
    }

    private static Plan.PrometheusQueries prometheus(Section analysis, Plan.AnalysisSource source) {
        if (source != Plan.AnalysisSource.PROMETHEUS) {
            if (analysis.has("prometheus")) throw PlanException.at(analysis.field("prometheus"), "only with source: prometheus");
            return null;
        }
        if (!analysis.has("prometheus")) {
            throw PlanException.at(analysis.field("source"), "prometheus needs analysis.prometheus: { url, requests, failed, p99Ms }");
        }
        Section queries = analysis.section("prometheus");
        String hint = "a PromQL query answering one sample per instance label (address:port)";
        Plan.PrometheusQueries out = new Plan.PrometheusQueries(
                queries.required("url", PROMETHEUS_URL, "the Prometheus HTTP address like http://127.0.0.1:9090"),
                queries.required("requests", PROMQL, hint),
                queries.required("failed", PROMQL, hint),
                queries.optional("p99Ms", null, PROMQL, hint));
        queries.done();
        return out;
    }

    private static double successRate(Section analysis) {
        Node node = analysis.field("successRate");
        if (node == null || node.value() == null) return 0.995;
        Matcher m = SUCCESS_RATE.matcher(node.scalar().trim());
        if (!m.matches()) throw PlanException.at(node, node.describe() + " is not a success rate (write e.g. \">= 99.5%\")");
        double percent = Double.parseDouble(m.group(1));
        if (percent <= 0 || percent > 100) throw PlanException.at(node, percent + "% is out of range (0..100%]");
        return new java.math.BigDecimal(m.group(1)).movePointLeft(2).doubleValue();
    }

    private static Duration p99(Section analysis) {
        Node node = analysis.field("p99");
        if (node == null || node.value() == null) return null;
        Matcher m = AT_MOST.matcher(node.scalar().trim());
        if (!m.matches()) throw PlanException.at(node, node.describe() + " is not a latency bound (write e.g. \"<= 300ms\")");
        Duration bound;
        try {
            bound = Durations.parse(m.group(1));
        } catch (IllegalArgumentException e) {
            throw PlanException.at(node, e.getMessage());
        }
        if (bound.isZero() || bound.compareTo(Duration.ofMinutes(10)) > 0) {
            throw PlanException.at(node, Durations.format(bound) + " is out of range 1ms..10m");
        }
        return bound;
    }
}
