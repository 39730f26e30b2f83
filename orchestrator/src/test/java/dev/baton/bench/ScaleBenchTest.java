package dev.baton.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/bench scale} scaled down (30 hosts, 50 watchers) so that its path cannot rot: the shared-JVM fleet, the
 * counting Consul proxy, the Baton server process, the HAProxy log and the summary line. Its figures are printed,
 * never asserted; only what must hold at any speed is: the rollout succeeds and no request through HAProxy fails.
 */
class ScaleBenchTest {
    @Test
    void aThirtyHostFleetRollsWithoutAFailedRequestAndPrintsTheScaleLine() throws Exception {
        ScaleBench.Result result = ScaleBench.measure(30, 50);
        System.out.println(result.line());
        assertThat(result.status()).isEqualTo("SUCCEEDED");
        assertThat(result.failedRequests()).isZero();
        assertThat(result.line()).matches("scale: hosts=30 failed_requests=0 wall_s=\\S+ limit_s=\\S+ ratio=\\S+ rss_mb=\\d+ "
                + "heap_mb=-?\\d+ cpu_s_per_host=\\S+ consul_calls_per_host=\\S+ kv_writes_per_host=\\S+ events=\\d+ sse_p99_ms=\\d+");
    }
}
