package dev.baton.browser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogType;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rollout view at 1,000 hosts in real Chromium: a recorded 1,000-host rollout (with its traffic samples and
 * analysis verdicts) replayed at real speed through the real server's event stream. Asserts what the page shows —
 * every host in the summary, a host list and an event log whose DOM stays small (only the rows in view), the filters,
 * the state chips, the traffic chart and totals; prints the timings (first render, longest frame), never asserts them.
 */
class DashboardScaleBrowserTest {
    private static ReplayedDashboard dashboard;

    @BeforeAll
    static void start() throws Exception {
        dashboard = ReplayedDashboard.start(RecordedRollout.Shape.thousand());
    }

    @AfterAll
    static void stop() {
        if (dashboard == null) return;
        try {
            dashboard.chromium().screenshot("rollout-1000-last.png");
            dashboard.browser().manage().logs().get(LogType.BROWSER).forEach(entry -> System.out.println("browser: " + entry));
        } catch (RuntimeException ignored) {
            // the browser may already be gone
        }
        dashboard.close();
    }

    @Test
    void aThousandHostRolloutReplayedAtRealSpeedStaysReadableWithABoundedDom() throws Exception {
        double firstRender = dashboard.open();
        assertThat(count("li.host")).as("host rows in the DOM before the replay").isBetween(1L, 80L);
        assertThat(chip("PENDING")).isEqualTo(1000);

        ReplayedDashboard.Figures figures = dashboard.replay(firstRender);
        System.out.println(figures.line());

        // every event arrived and was applied: the summary counts every host where the recording left it
        await("the summary of states at the end").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> chip("DONE") == 997 && chip("RESTORED") == 3);
        assertThat(text("rollout-hosts")).isEqualTo("997/1000 · 3 failed");
        // the server's summary of the ended rollout: a refresh of a large rollout, parsed in a worker (under the CSP)
        await("the summary of the ended rollout").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> text("rollout-summary").equals("1000 hosts rolled to 2.0.0; 3 failed and were restored"));
        assertThat(figures.domNodes()).as("elements in the page: bounded by the rows in view, not by the hosts or the events").isLessThan(2500L);
        assertThat(count("li.host")).as("host rows in the DOM: only those in view").isBetween(1L, 80L);
        assertThat(count("[data-testid=hosts] *")).as("elements of the host list").isLessThan(2500L);
        dashboard.chromium().screenshot("rollout-1000.png");

        // the event log: every event but the TRAFFIC samples (folded into the chart), only the lines in view in the DOM
        long logged = 1 + dashboard.recording.events().stream().filter(t -> t.event().step() != dev.baton.rollout.Step.TRAFFIC).count();
        assertThat(text("log-count")).isEqualTo(logged + " events");
        assertThat(count("[data-testid=event-log] li")).as("log lines in the DOM: only those in view, not the " + logged).isBetween(10L, 60L);
        assertThat(dashboard.js("const l = [...document.querySelectorAll('[data-testid=event-log] li')].at(-1);"
                + " return [l.getAttribute('aria-posinset'), l.getAttribute('aria-setsize'), l.querySelector('.ev-step').textContent]"))
                .as("the newest line last, in view, numbered for assistive technology").isEqualTo(List.of(String.valueOf(logged), String.valueOf(logged), "ROLLOUT"));
        assertThat(dashboard.logSteps("traffic")).as("lines mentioning traffic: none is a TRAFFIC sample").doesNotContain("TRAFFIC");
        assertThat(dashboard.logSteps("restore")).as("the three restored hosts' steps").contains("RESTORE").hasSizeLessThan(60);
        assertThat(text("log-count")).matches(logged + " events · [0-9]+ matches");
        assertThat(dashboard.logSteps("")).hasSizeBetween(10, 60);
        // scrolled to the oldest line: the DOM holds the lines in view there, not the ones in between
        await("the oldest lines drawn").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    dashboard.js("document.querySelector('[data-testid=event-log]').scrollTop = 0");
                    return "1".equals(dashboard.js("return document.querySelector('[data-testid=event-log] li')?.getAttribute('aria-posinset')"));
                });
        assertThat(count("[data-testid=event-log] li")).as("log lines in the DOM at the top").isBetween(10L, 60L);
        dashboard.js("document.querySelector('[data-testid=event-log]').scrollIntoView()");
        dashboard.chromium().screenshot("rollout-1000-log.png");
        assertThat(dashboard.browser().findElement(By.cssSelector("[data-testid=log-jump]")).isDisplayed()).as("no new event to jump to").isFalse();

        // the batches group the hosts: the canary first, with its ten hosts
        assertThat(dashboard.js("return document.querySelector('[data-testid=group-canary] .g-name').textContent")).isEqualTo("Canary · 10 hosts");
        assertThat(dashboard.js("return document.querySelector('[data-testid=group-canary] .g-states').textContent")).isEqualTo("10 done");

        // the filter: one host by name, then back to all
        WebElement filter = dashboard.browser().findElement(By.cssSelector("[data-testid=host-filter]"));
        assertThat(dashboard.js("return document.querySelector('label[for=host-filter]').textContent")).isEqualTo("Filter hosts");
        filter.sendKeys("web-0420");
        await("one host after filtering").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> hostRows().equals(List.of("host-web-0420")));
        assertThat(text("host-count")).isEqualTo("1 of 1000 hosts");
        filter.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        await("every host again").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> text("host-count").equals("1000 hosts"));

        // a state chip shows only the hosts in that state: the three restored ones
        dashboard.browser().findElement(By.cssSelector("[data-testid=state-chip-RESTORED]")).click();
        await("the restored hosts").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> hostRows().size() == 3);
        assertThat(dashboard.js("return [...document.querySelectorAll('li.host')].every(e => e.dataset.state === 'RESTORED')")).isEqualTo(true);
        assertThat(text("host-count")).isEqualTo("3 of 1000 hosts");
        dashboard.chromium().screenshot("rollout-1000-restored.png");
        dashboard.browser().findElement(By.cssSelector("[data-testid=state-chip-RESTORED]")).click();

        // the traffic: a point per sample, a mark per verdict, the totals
        long samples = dashboard.recording.events().stream().filter(t -> t.event().step() == dev.baton.rollout.Step.TRAFFIC).count();
        assertThat(dashboard.js("return document.querySelector('.line-rps').getAttribute('data-points')")).isEqualTo(String.valueOf(samples));
        assertThat(count("[data-testid=verdict-mark-pass]")).isEqualTo(11L);
        assertThat(text("traffic-failed")).isEqualTo("0");
        assertThat(text("traffic-totals")).matches("requests [0-9,.\u202f\u00a0]+, failed 0");

        scrollToTheEnd();
        assertThat(count("li.host")).as("host rows after scrolling to the end").isBetween(1L, 80L);
        assertThat(hostRows()).contains("host-web-1000");
        assertThat(dashboard.chromium().cspViolations()).as("the page under its Content-Security-Policy").isEmpty();
    }

    private static void scrollToTheEnd() {
        // scrolled again on every poll: the list may still be growing back from the chip's filter when first scrolled
        await("the last rows drawn").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    dashboard.js("const v = document.querySelector('[data-testid=host-viewport]'); v.scrollTop = v.scrollHeight");
                    return hostRows().contains("host-web-1000");
                });
    }

    @SuppressWarnings("unchecked")
    private static List<String> hostRows() {
        return (List<String>) dashboard.js("return [...document.querySelectorAll('li.host')].map(e => e.dataset.testid)");
    }

    private static long count(String css) {
        return ((Number) dashboard.js("return document.querySelectorAll('" + css + "').length")).longValue();
    }

    private static long chip(String state) {
        Object n = dashboard.js("const c = document.querySelector('[data-testid=state-chip-" + state + "] .chip-n');"
                + " return c ? Number(c.textContent) : -1");
        return ((Number) n).longValue();
    }

    private static String text(String testId) {
        return dashboard.browser().findElement(By.cssSelector("[data-testid=" + testId + "]")).getText();
    }
}
