package dev.baton.cli;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Instance;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulePrinterAnalysisTest {
    @Test
    void batonPlanShowsTheGateAfterEachBatchAndTheAutomaticPromotion() {
        Plan plan = new PlanLoader().parse("p.yaml", """
                service: web
                version: 2.0.0
                artifact: { url: "http://a/web.tar.gz", sha256: "%s" }
                loadBalancer: { haproxy: { runtime: "unix:/run/haproxy.sock", backend: web } }
                strategy: { canary: 1, batch: 1 }
                analysis: { successRate: ">= 99.5%%", p99: "<= 300ms", minRequests: 200, promote: auto }
                """.formatted("a".repeat(64)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new SchedulePrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8)).print(plan,
                List.of(new Instance("web-1", "web", "n1", "10.0.0.1", 8080), new Instance("web-2", "web", "n2", "10.0.0.2", 8080)), "Consul");
        String printed = bytes.toString(StandardCharsets.UTF_8);

        assertThat(printed).contains("canary  web-1  [10.0.0.1]\n"
                + "  then analysis: 1m00s of traffic from loadBalancer, measured every 10.0s: success rate >= 99.5%, p99 <= 300ms "
                + "(or no worse than the previous release), at least 200 requests; fail: rollback, inconclusive: pause\n"
                + "  then promote on a passing analysis\n"
                + "batch 1  web-2  [10.0.0.2]\n  then analysis: 1m00s");
    }
}
