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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/** The dashboard's schedules view in real Chromium, under the server's Content-Security-Policy: next run and window state. */
class SchedulesViewBrowserTest {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static LocalFleet fleet;
    private static ServerHarness harness;
    private static BatonServer server;
    private static ChromeDriver browser;
    private static Path profile;

    @BeforeAll
    static void start() throws Exception {
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            fail("the browser test needs Debian's chromium and chromedriver: run bin/setup, which installs them with apt-get");
        }
        fleet = LocalFleet.start("web", 1, "1.0.0");
        harness = new ServerHarness(fleet);
        java.time.ZonedDateTime minute = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        String thisMinute = "0 %d %d %d %d ? %d".formatted(minute.getMinute(), minute.getHour(), minute.getDayOfMonth(),
                minute.getMonthValue(), minute.getYear());
        DeployWindows freeze = new DeployWindows(List.of(new DeployWindow(DeployWindow.Kind.DENY, "freeze", thisMinute,
                Duration.ofHours(1), java.time.ZoneId.of("UTC"))));
        server = BatonServer.start(harness.config().withWindows(new ServiceWindows(DeployWindows.ALWAYS_OPEN, Map.of("web", freeze))));
        profile = Files.createTempDirectory("baton-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--user-data-dir=" + profile, "--window-size=1400,1000");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build(), options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            try {
                Path shots = Files.createDirectories(Paths.get("target", "screenshots"));
                Files.write(shots.resolve("schedules.png"), browser.getScreenshotAs(OutputType.BYTES));
            } catch (RuntimeException ignored) {
                // the browser may already be gone
            }
            browser.quit();
        }
        if (server != null) server.close();
        if (fleet != null) fleet.close();
        if (profile != null) {
            try (var paths = Files.walk(profile)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
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

        List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).as("the page under its Content-Security-Policy").noneMatch(e ->
                e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Refused to"));
    }

    private static void signIn(String token) {
        WebElement input = await("sign-in form").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("[data-testid=token-input]")), WebElement::isDisplayed);
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector("[data-testid=signin-submit]")).click();
        await("signed in").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("[data-testid=role]")).isDisplayed());
    }

    private static boolean visible(String testId) {
        List<WebElement> found = browser.findElements(By.cssSelector("[data-testid=" + testId + "]"));
        return !found.isEmpty() && found.get(0).isDisplayed();
    }
}
