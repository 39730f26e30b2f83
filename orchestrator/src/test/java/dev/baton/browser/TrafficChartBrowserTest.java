package dev.baton.browser;

import dev.baton.rollout.Step;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The traffic chart in real Chromium, fed TRAFFIC and ANALYSIS events through the same replay as the 1,000-host test:
 * a small rollout whose canary passes and whose first batch fails its analysis with failed requests. The chart draws a
 * point per sample, marks both verdicts, shows the totals (its text alternative), keeps TRAFFIC out of the event log;
 * the fleet view shows each instance's rate and error rate from the latest sample.
 */
class TrafficChartBrowserTest {
    private static ReplayedDashboard dashboard;

    @BeforeAll
    static void start() throws Exception {
        dashboard = ReplayedDashboard.start(new RecordedRollout.Shape(12, 2, 5, 0, 1, 7L));
        dashboard.registerInstances();
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) dashboard.close();
    }

    @Test
    void theChartShowsEverySampleBothVerdictsAndTheTotals() throws Exception {
        dashboard.replay(dashboard.open());
        long samples = dashboard.recording.events().stream().filter(t -> t.event().step() == Step.TRAFFIC).count();
        await("every sample drawn").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> String.valueOf(samples).equals(js("return document.querySelector('.line-rps')?.getAttribute('data-points')")));
        // one point per sample in each line: the path's commands (M then L) count them
        assertThat(js("return document.querySelector('.line-rps').getAttribute('d').split(/[ML]/).filter(s => s.trim()).length"))
                .isEqualTo(samples);
        assertThat(js("return document.querySelector('.line-failed').getAttribute('d').length > 0")).isEqualTo(true);
        assertThat(js("return document.querySelector('.line-passing').getAttribute('d').length > 0")).isEqualTo(true);
        assertThat(js("return document.querySelector('[data-testid=traffic-chart]').getBoundingClientRect().height > 100")).isEqualTo(true);
        assertThat(count("[data-testid=verdict-mark-pass]")).isEqualTo(1L);
        assertThat(count("[data-testid=verdict-mark-fail]")).isEqualTo(1L);
        assertThat(text("verdict-fail")).contains("batch 1 failed").contains("success 95.00% vs baseline 99.96%");

        // the totals: prominent, red once a request failed, and the chart's text alternative
        String failed = text("traffic-failed");
        assertThat(Long.parseLong(failed.replaceAll("[^0-9]", ""))).isPositive();
        assertThat(text("traffic-totals")).startsWith("requests ").contains(", failed " + failed);
        assertThat(js("return document.querySelector('[data-testid=traffic-totals]').classList.contains('has-failed')")).isEqualTo(true);
        assertThat(js("return document.querySelector('[data-testid=traffic-chart]').getAttribute('aria-labelledby')"))
                .isEqualTo("traffic-title traffic-totals");
        assertThat(js("return document.querySelector('[data-testid=traffic-chart]').getAttribute('role')")).isEqualTo("img");

        // samples fold into the chart; verdicts are in the log too
        assertThat(dashboard.logSteps("traffic")).as("lines mentioning traffic: none is a TRAFFIC sample").doesNotContain("TRAFFIC");
        assertThat(dashboard.logSteps("analysis")).as("the verdicts in the log").contains("ANALYSIS");
        dashboard.logSteps("");
        await("the rollout failed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> "FAILED".equals(js("return document.querySelector('[data-testid=rollout-status]').dataset.status")));
        dashboard.js("document.querySelector('[data-testid=traffic]').scrollIntoView()");
        dashboard.chromium().screenshot("traffic-chart.png");

        // the fleet view: each instance's rate and error rate from the latest sample
        dashboard.browser().findElement(By.cssSelector("[data-testid=nav-fleet]")).click();
        await("rates on the fleet view").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> count("[data-testid=instance-traffic]") == 12);
        assertThat(dashboard.browser().findElement(By.cssSelector("[data-testid=instance-web-0001] [data-testid=instance-traffic]")).getText())
                .matches("[0-9.]+ req/s · [0-9.]+% errors · p99 [0-9]+ ms");
        dashboard.chromium().screenshot("fleet-traffic.png");
        assertThat(dashboard.chromium().cspViolations()).as("the page under its Content-Security-Policy").isEmpty();
    }

    private static Object js(String script) {
        return dashboard.js(script);
    }

    private static long count(String css) {
        return ((Number) js("return document.querySelectorAll('" + css + "').length")).longValue();
    }

    private static String text(String testId) {
        return dashboard.browser().findElement(By.cssSelector("[data-testid=" + testId + "]")).getText();
    }
}
