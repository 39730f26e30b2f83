package dev.baton.browser;

import dev.baton.api.BatonServer;
import dev.baton.fleet.LocalFleet;
import dev.baton.rollout.DeployWindow;
import dev.baton.rollout.DeployWindows;
import dev.baton.schedule.ServiceWindows;
import dev.baton.server.Api;
import dev.baton.server.ServerHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dashboard's schedules view in real Chromium, under the server's Content-Security-Policy: next run and window state. */
class SchedulesViewBrowserTest {
    private static LocalFleet fleet;
    private static ServerHarness harness;
    private static BatonServer server;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.requireInstalled();
        fleet = LocalFleet.start("web", 1, "1.0.0");
        harness = new ServerHarness(fleet);
        java.time.ZonedDateTime minute = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        String thisMinute = "0 %d %d %d %d ? %d".formatted(minute.getMinute(), minute.getHour(), minute.getDayOfMonth(),
                minute.getMonthValue(), minute.getYear());
        DeployWindows freeze = new DeployWindows(List.of(new DeployWindow(DeployWindow.Kind.DENY, "freeze", thisMinute,
                Duration.ofHours(1), java.time.ZoneId.of("UTC"))));
        server = BatonServer.start(harness.config().withWindows(new ServiceWindows(DeployWindows.ALWAYS_OPEN, Map.of("web", freeze))));
        chromium = HeadlessChromium.start();
        browser = chromium.driver();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            try {
                chromium.screenshot("schedules.png");
            } catch (RuntimeException ignored) {
                // the browser may already be gone
            }
            chromium.close();
        }
        if (server != null) server.close();
        if (fleet != null) fleet.close();
    }

    @Test
    void aViewerSeesEachScheduleWithItsNextRunAndTheDeployWindowNow() throws Exception {
        Api api = new Api(server.url());
        Api.Answer created = api.post("/api/v1/schedules", harness.deployer,
                harness.plan("2.0.0", null) + "schedule: { cron: \"0 0 2 * * ?\", zone: Europe/Berlin }\n", "application/yaml");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asText();

        browser.get(server.url() + "/");
        signIn(harness.viewer);
        await("schedules link").atMost(Duration.ofSeconds(10)).until(() -> visible("nav-schedules"));
        browser.findElement(By.cssSelector("[data-testid=nav-schedules]")).click();
        WebElement row = await("schedule row").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("[data-testid=schedule][data-id='" + id + "']")), WebElement::isDisplayed);
        assertThat(row.getText()).contains("web 2.0.0").contains("cron 0 0 2 * * ? (Europe/Berlin)").contains("PENDING");
        assertThat(row.findElement(By.cssSelector("[data-testid=schedule-next]")).getText()).isNotEqualTo("—");
        WebElement window = row.findElement(By.cssSelector("[data-testid=schedule-window]"));
        assertThat(window.getAttribute("data-open")).isEqualTo("false");
        assertThat(window.getText()).startsWith("closed: inside deny window freeze until ");

        assertThat(chromium.cspViolations()).as("the page under its Content-Security-Policy").isEmpty();
    }

    private static void signIn(String token) {
        chromium.signIn(token);
    }

    private static boolean visible(String testId) {
        return chromium.visible(testId);
    }
}
