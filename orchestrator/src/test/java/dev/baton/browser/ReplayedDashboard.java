package dev.baton.browser;

import dev.baton.api.BatonServer;
import dev.baton.api.Role;
import dev.baton.api.ServerConfig;
import dev.baton.api.Tokens;
import dev.baton.consul.ConsulDevAgent;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The dashboard watching a recorded rollout replayed at real speed: a Consul dev agent, a real Baton server (the
 * dashboard's files, sign-in, vocabulary), a {@link ReplayFront} in front of it that serves the replayed rollout in
 * the server's formats, headless Chromium. Measures with the Performance API
 * the time to first render of the rollout view (page load to the first drawn host list) and, while the recording
 * plays, the longest frame (requestAnimationFrame deltas) and the longest task (PerformanceObserver longtask).
 * Used by {@link DashboardScaleBrowserTest} and {@link DashboardBench}.
 */
final class ReplayedDashboard implements AutoCloseable {
    private static final String FRAMES = """
            const f = window.__frames = { max: 0, n: 0, over50: 0, longtask: 0, tasks: 0, on: true };
            const loop = (t) => {
              if (!f.on) return;
              const d = t - f.last;
              if (d > f.max) f.max = d;
              if (d > 50) f.over50++;
              f.last = t; f.n++;
              requestAnimationFrame(loop);
            };
            requestAnimationFrame((t) => { f.last = t; requestAnimationFrame(loop); });
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) { f.tasks++; if (e.duration > f.longtask) f.longtask = e.duration; }
            }).observe({ type: 'longtask' });
            """;

    /** What one replay measured. */
    record Figures(int hosts, long events, double firstRenderMs, double longestFrameMs, double longestTaskMs, long longTasks,
                   long framesOver50, long frames, long domNodes, long replayLagMs) {
        String line() {
            return String.format(java.util.Locale.ROOT, "dashboard: hosts=%d first_render_ms=%.0f longest_frame_ms=%.0f longest_task_ms=%.0f "
                            + "long_tasks=%d frames_over_50ms=%d frames=%d dom_nodes=%d events=%d replay_lag_ms=%d",
                    hosts, firstRenderMs, longestFrameMs, longestTaskMs, longTasks, framesOver50, frames, domNodes, events, replayLagMs);
        }
    }

    private final String viewer = token();
    final RecordedRollout recording;
    private ConsulDevAgent consul;
    private BatonServer server;
    private ReplayFront front;
    private HeadlessChromium chromium;

    private ReplayedDashboard(RecordedRollout recording) {
        this.recording = recording;
    }

    static ReplayedDashboard start(RecordedRollout.Shape shape) throws Exception {
        HeadlessChromium.requireInstalled();
        ReplayedDashboard d = new ReplayedDashboard(RecordedRollout.generate(shape));
        try {
            d.consul = ConsulDevAgent.start();
            Tokens tokens = new Tokens(Map.of(d.viewer, Role.VIEWER), Map.of(d.viewer, "replay-viewer"));
            d.server = BatonServer.start(ServerConfig.of("127.0.0.1", 0, d.consul.url(), tokens, name -> null));
            d.front = ReplayFront.start(d.recording, d.server.url());
            d.chromium = HeadlessChromium.start();
            return d;
        } catch (Exception | Error e) {
            d.close();
            throw e;
        }
    }

    ChromeDriver browser() {
        return chromium.driver();
    }

    HeadlessChromium chromium() {
        return chromium;
    }

    /** Registers the recording's hosts in Consul as instances of its service, for the fleet view. */
    void registerInstances() throws java.io.IOException {
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
        for (dev.baton.rollout.Instance i : recording.instances()) {
            String json = "{\"ID\":\"" + i.id() + "\",\"Name\":\"" + i.service() + "\",\"Address\":\"" + i.address()
                    + "\",\"Port\":" + i.port() + ",\"Meta\":{\"version\":\"" + RecordedRollout.TO + "\"}}";
            okhttp3.Request request = new okhttp3.Request.Builder().url(consul.url() + "v1/agent/service/register")
                    .put(okhttp3.RequestBody.create(json, okhttp3.MediaType.get("application/json"))).build();
            try (okhttp3.Response response = http.newCall(request).execute()) {
                if (!response.isSuccessful()) throw new java.io.IOException("Consul refused " + i.id() + ": " + response.code());
            }
        }
    }

    String url() {
        return front.url();
    }

    /**
     * Loads the rollout view (its hosts all pending, before the replay) in a fresh page and waits until it shows every
     * host; returns the time to first render in ms since navigation start.
     */
    double open() {
        ChromeDriver browser = browser();
        browser.get(front.url() + "/");
        chromium.signIn(viewer);
        front.begin();
        browser.get(front.url() + "/?measure#/rollouts/" + ReplayFront.ID); // another URL: a full page load, measured from its start
        await("the rollout view with every host").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("[data-testid=host-count]")).getText()
                        .equals(recording.hosts() + " hosts"));
        Object mark = js("const m = performance.getEntriesByName('baton:first-render')[0]; return m ? m.startTime : null");
        if (mark == null) throw new AssertionError("the rollout view set no baton:first-render mark");
        return ((Number) mark).doubleValue();
    }

    /** Plays the recording at real speed while the page measures its frames; returns the figures. */
    Figures replay(double firstRenderMs) throws Exception {
        js(FRAMES);
        front.play();
        // no polling of the page while it plays: each WebDriver call would run on the page's main thread too
        front.awaitDone(recording.length().plusMinutes(1));
        Thread.sleep(1500); // the last events reach the page and are drawn
        return collect(firstRenderMs);
    }

    /** The same measurement over the recording's length with no event arriving: the machine's own noise. */
    Figures idle(double firstRenderMs) throws Exception {
        js(FRAMES);
        Thread.sleep(recording.length().toMillis() + 1500);
        return collect(firstRenderMs);
    }

    private Figures collect(double firstRenderMs) {
        js("window.__frames.on = false");
        @SuppressWarnings("unchecked")
        Map<String, Object> f = (Map<String, Object>) js("return window.__frames");
        return new Figures(recording.hosts(), recording.events().size(), firstRenderMs, number(f.get("max")), number(f.get("longtask")),
                (long) number(f.get("tasks")), (long) number(f.get("over50")), (long) number(f.get("n")),
                (long) number(js("return document.getElementsByTagName('*').length")), front.maxLagMs());
    }

    Object js(String script) {
        return ((JavascriptExecutor) browser()).executeScript(script);
    }

    private static double number(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    private static String token() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        if (chromium != null) chromium.close();
        if (front != null) front.close();
        if (server != null) server.close();
        if (consul != null) consul.close();
    }
}
