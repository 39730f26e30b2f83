package dev.baton.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.api.BatonServer;
import dev.baton.api.ServerConfig;
import dev.baton.api.TokensFile;
import dev.baton.bench.HeyLoad;
import dev.baton.fleet.LocalFleet;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser (Debian's Chromium, headless) against the real Baton server and a real local
 * fleet behind HAProxy, under steady load through it: a deployer watches a rollout live and its traffic chart fill,
 * pauses it, resumes it to the end with no failed request; a viewer sees no controls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(20)).build();
    private static final String DEPLOYER = token();
    private static final String VIEWER = token();
    private static final List<String> FIVE_STEPS_OK = List.of("LEAVE OK", "PROPAGATE OK", "RESTART OK", "CHECK OK", "JOIN OK");

    private static LocalFleet fleet;
    private static BatonServer server;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;
    private static String rolloutId;

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.requireInstalled();
        fleet = LocalFleet.start("web", 3, "1.0.0", true);
        server = startServer();
        chromium = HeadlessChromium.start();
        browser = chromium.driver();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            try {
                screenshot("last.png");
                // the page's console, for whoever reads a failure
                browser.manage().logs().get(LogType.BROWSER).forEach(entry -> System.out.println("browser: " + entry));
            } catch (RuntimeException ignored) {
                // the browser may already be gone
            }
            chromium.close();
        }
        if (server != null) server.close();
        if (fleet != null) fleet.close();
    }

    @Test
    @Order(1)
    void aDeployerWatchesTheRolloutLivePausesItAndResumesItToTheEnd() throws Exception {
        browser.get(server.url() + "/");
        signIn(DEPLOYER);
        assertThat(js("return document.querySelector('[data-testid=role]').textContent")).isEqualTo("deployer");

        fleet.awaitLoadBalancerRoutesToAll();
        // steady load through HAProxy (3 × 20 requests/s, at most 3 minutes) while the rollout runs
        try (HeyLoad load = new HeyLoad(fleet.loadBalancerUrl() + "/", 3, 20, 180, fleet.workDir().resolve("hey-dashboard.txt"))) {
            rolloutId = submitPlan();
            watchTheRolloutToItsEnd();
            HeyLoad.Report report = load.stop();
            long requests = Long.parseLong(text(By.cssSelector("[data-testid=traffic-requests]")).replaceAll("[^0-9]", ""));
            System.out.printf("traffic chart at the end: requests %d, failed %s, points %s; hey: requests %d, failed %d, p99 %.1f ms%n",
                    requests, text(By.cssSelector("[data-testid=traffic-failed]")),
                    js("return document.querySelector('.line-rps').getAttribute('data-points')"),
                    report.requests(), report.failed(), report.p99Ms());
            assertThat(text(By.cssSelector("[data-testid=traffic-failed]"))).as("failed requests on the chart").isEqualTo("0");
            assertThat(requests).isPositive();
            assertThat(report.failed()).as(report.errors()).isZero();
        }
        screenshot("rollout.png");
        narrowScreenshot("rollout-375.png");
    }

    private static void watchTheRolloutToItsEnd() {
        // the list refreshes itself: the new rollout shows up without a reload, and opens with a click
        WebElement link = await("rollout row in the list").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("[data-testid='rollout-row-" + rolloutId + "'] a")), e -> e != null);
        link.click();
        await("rollout view").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> hostStates().size() == 3);
        js("window.__sameDocument = true"); // gone if the page reloads: the rest must happen live

        // a host goes through a running step (LEAVING, PROPAGATING, ...) and later to DONE, live
        String[] moving = new String[1];
        await("a host in a running step").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    for (Map.Entry<String, String> host : hostStates().entrySet()) {
                        if (host.getValue().endsWith("ING") && !host.getValue().equals("PENDING")) moving[0] = host.getKey();
                    }
                    return moving[0] != null;
                });
        await(moving[0] + " DONE").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> "DONE".equals(hostStates().get(moving[0])));
        assertThat(js("return document.querySelectorAll('[data-testid=event-log] li').length")).asString()
                .satisfies(n -> assertThat(Integer.parseInt(n)).isGreaterThanOrEqualTo(10));
        assertThat(timeline(moving[0])).containsSubsequence(FIVE_STEPS_OK);

        // pause: the engine stops at the next boundary between hosts, and then nothing moves
        WebElement pause = enabled("action-pause");
        pause.click();
        await("status PAUSED").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> "PAUSED".equals(status()));
        Map<String, String> paused = rows();
        assertThat(paused.values()).as("host rows at the pause").noneMatch(s -> s.contains("ING") && !s.startsWith("PENDING"));
        assertThat(paused.values()).as("a host is still waiting").anyMatch(s -> s.startsWith("PREPARED"));
        screenshot("rollout-paused.png");
        // mid-rollout, the traffic chart has filled live (a point a second) and every request through HAProxy was answered
        await("2 points on the traffic chart").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> js("return +(document.querySelector('.line-rps')?.getAttribute('data-points') ?? 0)")
                        instanceof Number points && points.longValue() >= 2);
        assertThat(status()).as("the rollout is still under way").isEqualTo("PAUSED");
        String totals = text(By.cssSelector("[data-testid=traffic-totals]"));
        assertThat(totals).matches("requests [1-9][0-9,.\\s\\u00a0\\u202f]*, failed 0"); // grouped by the browser's locale
        System.out.println("traffic chart during the rollout: " + totals);
        js("document.querySelector('[data-testid=traffic]').scrollIntoView({ block: 'center' })"); // clear of the sticky header
        screenshot("traffic-chart-live.png");
        js("window.scrollTo(0, 0)");
        await("no host row changes while paused").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> rows().equals(paused) && "PAUSED".equals(status()));
        assertThat(visible("action-pause")).isFalse();

        enabled("action-resume").click();
        await("status SUCCEEDED").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> "SUCCEEDED".equals(status()));
        await("every host DONE on 2.0.0").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> hostStates().values().stream().allMatch("DONE"::equals)
                        && js("return [...document.querySelectorAll('[data-testid=host-version]')].every(e => e.textContent === '2.0.0')")
                        .equals(Boolean.TRUE));
        await("no controls once it ended").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> js("return [...document.querySelectorAll('[data-testid^=action-]')].every(b => !b.offsetParent)")
                        .equals(Boolean.TRUE));
        await("the server's summary of the ended rollout").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> !text(By.cssSelector("[data-testid=rollout-summary]")).isBlank());
        assertThat(js("return window.__sameDocument === true")).as("the page never reloaded").isEqualTo(true);
        assertThat(text(By.cssSelector("[data-testid=rollout-hosts]"))).isEqualTo("3/3");
        for (String host : hostStates().keySet()) assertThat(timeline(host)).as(host + " timeline").containsSubsequence(FIVE_STEPS_OK);
        assertThat(js("return document.querySelector('[data-testid=stream-state]').dataset.state")).isEqualTo("ended");
        js("window.scrollTo(0, 0)");
    }

    @Test
    @Order(2)
    void aRejectedTokenLeadsBackToSignInAndAViewerSeesNoControls() {
        assertThat(rolloutId).as("the first test started a rollout").isNotNull();
        browser.get(server.url() + "/");
        // a token the server does not know: back to the sign-in form, with a clear line
        js("sessionStorage.setItem('baton.token', 'not-a-token'); sessionStorage.setItem('baton.role', 'admin')");
        browser.navigate().refresh();
        await("sign-in after 401").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> text(By.cssSelector("[data-testid=signin-error]")).contains("401"));
        assertThat(js("return sessionStorage.getItem('baton.token')")).isNull();

        signIn(VIEWER);
        assertThat(js("return document.querySelector('[data-testid=role]').textContent")).isEqualTo("viewer");
        browser.get(server.url() + "/#/rollouts/" + rolloutId);
        await("rollout view for the viewer").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> "SUCCEEDED".equals(status()) && hostStates().size() == 3);
        assertThat(browser.findElements(By.cssSelector("[data-testid^=action-]"))).as("control buttons").isEmpty();

        // the fleet view: every instance of web, passing, on the version the rollout put there
        browser.findElement(By.cssSelector("[data-testid=nav-fleet]")).click();
        await("fleet view").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> js("return ['web-1', 'web-2', 'web-3'].every(id => {"
                        + " const i = document.querySelector(`[data-testid=instance-${id}]`);"
                        + " return i && i.dataset.health === 'passing'"
                        + " && i.querySelector('[data-testid=instance-version]').textContent === '2.0.0'; })").equals(Boolean.TRUE));
        screenshot("fleet.png");
    }

    // ---- the browser ----------------------------------------------------------------------------------

    private static void signIn(String token) {
        chromium.signIn(token);
    }

    /** Host id -> data-state of each host row. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> hostStates() {
        return (Map<String, String>) js("return Object.fromEntries([...document.querySelectorAll('li.host')]"
                + ".map(e => [e.dataset.testid.slice(5), e.dataset.state]))");
    }

    /** Everything a host row shows that moves: state, step and how many steps it has in its timeline. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> rows() {
        return (Map<String, String>) js("return Object.fromEntries([...document.querySelectorAll('li.host')]"
                + ".map(e => [e.dataset.testid, e.dataset.state + ' ' + e.dataset.step + ' ' + e.querySelectorAll('.bar').length"
                + " + ' ' + e.querySelector('[data-testid=host-version]').textContent]))");
    }

    /** The bars of a host's timeline, as "STEP OUTCOME". */
    @SuppressWarnings("unchecked")
    private static List<String> timeline(String host) {
        return (List<String>) js("return [...document.querySelectorAll(\"[data-testid='host-" + host + "'] .bar\")]"
                + ".map(b => b.dataset.step + ' ' + b.dataset.outcome)");
    }

    private static String status() {
        return (String) js("const b = document.querySelector('[data-testid=rollout-status]'); return b ? b.dataset.status : null");
    }

    private static WebElement enabled(String testId) {
        return await(testId + " enabled").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("[data-testid=" + testId + "]")), b -> b.isDisplayed() && b.isEnabled());
    }

    private static boolean visible(String testId) {
        return chromium.visible(testId);
    }

    private static String text(By by) {
        return browser.findElement(by).getText();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void screenshot(String name) {
        chromium.screenshot(name);
    }

    /** The same view on a phone-sized screen: 375 CSS pixels wide. */
    private static void narrowScreenshot(String name) {
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 375, "height", 812, "deviceScaleFactor", 2, "mobile", true));
        try {
            await("375 px layout").atMost(Duration.ofSeconds(5))
                    .until(() -> js("return innerWidth === 375 && document.documentElement.scrollWidth <= 375").equals(Boolean.TRUE));
            screenshot(name);
        } finally {
            browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    // ---- the fleet and the server ---------------------------------------------------------------------

    /**
     * Submits a plan whose hosts take a while (propagation waits at least 3 s): time to open the view on the first
     * host and to pause before the last, even on a busy machine.
     */
    private static String submitPlan() throws Exception {
        String fleetPlan = Files.readString(fleet.writePlan("2.0.0", null));
        String plan = fleetPlan.replace("quietPeriod: 300ms,", "quietPeriod: 300ms, minWait: 3s,");
        assertThat(plan).as("the fleet's plan with a minimum propagation wait").isNotEqualTo(fleetPlan);
        Request request = new Request.Builder().url(server.url() + "/api/v1/rollouts")
                .header("Authorization", "Bearer " + DEPLOYER)
                .post(RequestBody.create(plan, MediaType.get("application/yaml"))).build();
        try (Response response = HTTP.newCall(request).execute()) {
            String body = response.body().string();
            assertThat(response.code()).as(body).isEqualTo(201);
            JsonNode rollout = MAPPER.readTree(body);
            return rollout.path("id").asText();
        }
    }

    /** The real server, in this JVM, on a free port, with its state in the fleet's Consul and a tokens file. */
    private static BatonServer startServer() throws Exception {
        Path tokens = fleet.workDir().resolve("tokens");
        Files.writeString(tokens, "# role token\ndeployer " + DEPLOYER + "\nviewer " + VIEWER + "\n");
        String agentToken = fleet.agentToken();
        ServerConfig config = ServerConfig.of("127.0.0.1", 0, HttpUrl.get(fleet.consulAddress()), TokensFile.load(tokens).tokens(),
                name -> ServerConfig.AGENT_TOKEN_ENV.equals(name) ? agentToken : System.getenv(name));
        return BatonServer.start(config);
    }

    private static String token() {
        byte[] bytes = new byte[24];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
