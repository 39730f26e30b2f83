package dev.baton.browser;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/** Debian's Chromium driven headless through chromedriver, with a throw-away profile, for the dashboard's browser tests. */
final class HeadlessChromium implements AutoCloseable {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Paths.get("target", "screenshots").toAbsolutePath();

    private final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Fails (never skips) when Chromium or chromedriver is missing, naming the set-up command. */
    static void requireInstalled() {
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            fail("the browser test needs Debian's chromium and chromedriver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): run bin/setup, which installs them with apt-get");
        }
    }

    static HeadlessChromium start() throws IOException {
        requireInstalled();
        Path profile = Files.createTempDirectory("baton-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1000");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
        return new HeadlessChromium(driver, profile);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Signs in to the dashboard with {@code token} and waits until the role shows. */
    void signIn(String token) {
        WebElement input = await("sign-in form").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> driver.findElement(By.cssSelector("[data-testid=token-input]")), WebElement::isDisplayed);
        input.clear();
        input.sendKeys(token);
        driver.findElement(By.cssSelector("[data-testid=signin-submit]")).click();
        await("signed in").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> driver.findElement(By.cssSelector("[data-testid=role]")).isDisplayed());
    }

    boolean visible(String testId) {
        List<WebElement> found = driver.findElements(By.cssSelector("[data-testid=" + testId + "]"));
        return !found.isEmpty() && found.get(0).isDisplayed();
    }

    /** Console lines that show the page broke its Content-Security-Policy. */
    List<LogEntry> cspViolations() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Refused to")).toList();
    }

    void screenshot(String name) {
        try {
            Files.write(Files.createDirectories(SCREENSHOTS).resolve(name), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new IllegalStateException("cannot save screenshot " + name, e);
        }
    }

    /** Quits the browser and removes its profile; never throws (the browser may already be gone). */
    @Override
    public void close() {
        try {
            driver.quit();
        } catch (RuntimeException ignored) {
            // nothing left to close
        }
        try (var paths = Files.walk(profile)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
