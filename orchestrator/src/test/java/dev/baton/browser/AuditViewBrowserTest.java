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
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dashboard's audit view in real Chromium, under the server's Content-Security-Policy: admins only. */
class AuditViewBrowserTest {
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
        server = harness.start();
        chromium = HeadlessChromium.start();
        browser = chromium.driver();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            try {
                chromium.screenshot("audit.png");
            } catch (RuntimeException ignored) {
                // the browser may already be gone
            }
            chromium.close();
        }
        if (server != null) server.close();
        if (fleet != null) fleet.close();
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

        assertThat(chromium.cspViolations()).as("the page under its Content-Security-Policy").isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static List<String> rows() {
        return (List<String>) ((JavascriptExecutor) browser).executeScript("return [...document.querySelectorAll('[data-testid=audit-entry]')]"
                + ".map(r => r.querySelector('[data-testid=audit-actor]').textContent + ' ' + r.querySelector('[data-testid=audit-action]').textContent"
                + " + ' ' + r.querySelector('[data-testid=audit-status]').textContent)");
    }

    private static void signIn(String token) {
        chromium.signIn(token);
    }

    private static boolean visible(String testId) {
        return chromium.visible(testId);
    }
}
