package dev.baton.browser;

import dev.baton.api.BatonServer;
import dev.baton.fleet.LocalFleet;
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

/** The dashboard's audit view in real Chromium, under the server's Content-Security-Policy: admins only. */
class AuditViewBrowserTest {
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
        server = harness.start();
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
                Files.write(shots.resolve("audit.png"), browser.getScreenshotAs(OutputType.BYTES));
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
    void anAdminSeesWhoDidWhatADeployerDoesNot() throws Exception {
        Api api = new Api(server.url());
        api.get("/api/v1/me", "a-wrong-token-000");
        api.post("/api/v1/rollouts", harness.deployer, "service: web\n", "application/yaml");

        browser.get(server.url() + "/");
        signIn(harness.deployer);
        assertThat(visible("nav-audit")).as("the audit link for a deployer").isFalse();
        browser.get(server.url() + "/#/audit");
        Thread.sleep(500);
        assertThat(browser.findElements(By.cssSelector("[data-testid=audit-table]"))).isEmpty();

        browser.findElement(By.cssSelector("[data-testid=signout]")).click();
        signIn(harness.admin);
        await("audit link").atMost(Duration.ofSeconds(10)).until(() -> visible("nav-audit"));
        browser.findElement(By.cssSelector("[data-testid=nav-audit]")).click();
        List<String> rows = await("audit rows").atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> rows(),
                r -> r.stream().anyMatch(l -> l.startsWith("ci-deployer (deployer) submit 400")));
        assertThat(rows).anyMatch(l -> l.startsWith("unknown sign-in GET /api/v1/me 401"));
        assertThat(String.join("\n", rows)).doesNotContain(harness.deployer).doesNotContain("a-wrong-token-000");

        List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).as("the page under its Content-Security-Policy").noneMatch(e ->
                e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Refused to"));
    }

    @SuppressWarnings("unchecked")
    private static List<String> rows() {
        return (List<String>) ((JavascriptExecutor) browser).executeScript("return [...document.querySelectorAll('[data-testid=audit-entry]')]"
                + ".map(r => r.querySelector('[data-testid=audit-actor]').textContent + ' ' + r.querySelector('[data-testid=audit-action]').textContent"
                + " + ' ' + r.querySelector('[data-testid=audit-status]').textContent)");
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
