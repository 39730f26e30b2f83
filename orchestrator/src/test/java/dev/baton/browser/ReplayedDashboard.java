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
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The dashboard watching a recorded rollout replayed at real speed: a Consul dev agent, a real Baton server (the
 * dashboard's files, sign-in, vocabulary), a {@link ReplayFront} in front of it that serves the replayed rollout in
 * the server's formats, headless Chromium. Measures with the Performance API, from a probe installed before the page's
 * own scripts: the time to first render of the rollout view (navigation start to the baton:first-render mark, and to
 * the frame that painted it), and, over every frame from the first render to the end of the replay (the idle time
 * before the replay included), the longest frame (the gap between two requestAnimationFrame callbacks), the frames
 * over 50 ms, the longest task (longtask entries), with the slow frames explained by their Long Animation Frames; and
 * the CPU time Chromium's renderer and GPU processes used over the same time (the page's work, whatever the load of
 * the machine: on a shared machine the frame times grow with the other processes, the CPU time hardly does).
 * Used by {@link DashboardScaleBrowserTest} and {@link DashboardBench}.
 */
final class ReplayedDashboard implements AutoCloseable {
    /**
     * Installed in every new document before the page's own scripts (so under the page's CSP, and from navigation
     * start): each animation frame (rAF timestamp and the gap since the one before), the long tasks, the Long Animation
     * Frames with their script attribution, and when the first rendered view was painted (the frame after the one
     * that drew it: a timer after the next animation frame that follows the baton:first-render mark).
     */
    private static final String PROBE = """
            (() => {
              const p = window.__probe = { frames: [], tasks: [], loaf: [], painted: null, on: true };
              let last = 0;
              const loop = (t) => {
                if (!p.on) return;
                if (last) p.frames.push(t, t - last);
                last = t;
                requestAnimationFrame(loop);
              };
              requestAnimationFrame(loop);
              const observe = (type, take) => {
                try { new PerformanceObserver((list) => list.getEntries().forEach(take)).observe({ type, buffered: true }); } catch { /* unsupported */ }
              };
              observe('longtask', (e) => p.tasks.push(e.startTime, e.duration));
              observe('long-animation-frame', (e) => p.loaf.push({
                start: e.startTime, duration: e.duration, blocking: e.blockingDuration, renderStart: e.renderStart,
                styleAndLayoutStart: e.styleAndLayoutStart,
                scripts: e.scripts.map((s) => ({ start: s.startTime, duration: s.duration, invoker: s.invoker, fn: s.sourceFunctionName,
                  url: (s.sourceURL || '').replace(/^.*\\//, ''), pos: s.sourceCharPosition, forced: s.forcedStyleAndLayoutDuration })),
              }));
              observe('mark', (e) => {
                if (e.name === 'baton:first-render' && p.painted == null) requestAnimationFrame(() => setTimeout(() => { p.painted = performance.now(); }, 0));
              });
            })();
            """;

    /** What one replay measured, over the frames that ended between {@code from} and the end of the replay. */
    record Figures(int hosts, long events, double firstRenderMs, double firstPaintMs, double longestFrameMs, double longestTaskMs,
                   long longTasks, long framesOver50, long frames, long domNodes, long replayLagMs, ChromiumCpu.Used cpu,
                   List<String> explained) {
        String line() {
            return String.format(java.util.Locale.ROOT, "dashboard: hosts=%d first_render_ms=%.0f longest_frame_ms=%.0f longest_task_ms=%.0f "
                            + "long_tasks=%d frames_over_50ms=%d frames=%d dom_nodes=%d events=%d replay_lag_ms=%d first_render_painted_ms=%.0f"
                            + " renderer_cpu_ms=%d gpu_cpu_ms=%d",
                    hosts, firstRenderMs, longestFrameMs, longestTaskMs, longTasks, framesOver50, frames, domNodes, events, replayLagMs, firstPaintMs,
                    cpu.rendererMs(), cpu.gpuMs());
        }
    }

    private final String viewer = token();
    final RecordedRollout recording;
    private ConsulDevAgent consul;
    private BatonServer server;
    private ReplayFront front;
    private HeadlessChromium chromium;
    private double firstRender;
    private double firstPaint;
    private double loaded; // when the view showed every host (ms since navigation start), polled every 100 ms
    private double playStart;
    /** Whether a measurement already ran in this page: the next one starts when it is asked for, not at the first render. */
    private boolean measured;
    private ChromiumCpu.Used cpuAtStart = new ChromiumCpu.Used(0, 0);

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
     * host; returns the time to first render in ms since navigation start (the baton:first-render mark).
     */
    double open() {
        ChromeDriver browser = browser();
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", PROBE));
        browser.get(front.url() + "/");
        chromium.signIn(viewer);
        front.begin();
        browser.get(front.url() + "/?measure#/rollouts/" + ReplayFront.ID); // another URL: a full page load, measured from its start
        await("the rollout view with every host").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("[data-testid=host-count]")).getText()
                        .equals(recording.hosts() + " hosts"));
        Object mark = js("const m = performance.getEntriesByName('baton:first-render')[0]; return m ? m.startTime : null");
        if (mark == null) throw new AssertionError("the rollout view set no baton:first-render mark");
        firstRender = ((Number) mark).doubleValue();
        await("the first rendered view painted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> js("return window.__probe.painted") != null);
        firstPaint = number(js("return window.__probe.painted"));
        loaded = number(js("return performance.now()"));
        return firstRender;
    }

    /**
     * Plays the recording at real speed and returns the figures of every frame from the first render (or, after
     * {@link #idle}, from the start of the replay) to the end of the replay plus 1.5 s for the last events to be drawn.
     */
    Figures replay(double firstRenderMs) throws Exception {
        double from = measured ? number(js("return performance.now()")) : firstRenderMs;
        cpuAtStart = ChromiumCpu.now();
        playStart = number(js("return performance.now()"));
        front.play();
        // no polling of the page while it plays: each WebDriver call would run on the page's main thread too
        front.awaitDone(recording.length().plusMinutes(1));
        Thread.sleep(1500); // the last events reach the page and are drawn
        return collect(from, true);
    }

    /** The same measurement over the recording's length with no event arriving: the machine's own noise. */
    Figures idle(double firstRenderMs) throws Exception {
        cpuAtStart = ChromiumCpu.now();
        Thread.sleep(recording.length().toMillis() + 1500);
        return collect(firstRenderMs, false);
    }

    @SuppressWarnings("unchecked")
    private Figures collect(double from, boolean replayed) {
        measured = true;
        ChromiumCpu.Used cpu = ChromiumCpu.now().since(cpuAtStart);
        double to = number(js("return performance.now()"));
        Map<String, Object> p = (Map<String, Object>) js("return { frames: window.__probe.frames, tasks: window.__probe.tasks }");
        List<Number> frames = (List<Number>) p.get("frames");
        List<Number> tasks = (List<Number>) p.get("tasks");
        double longest = 0;
        long n = 0, over50 = 0;
        List<double[]> slow = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < frames.size(); i += 2) {
            double t = frames.get(i).doubleValue(), d = frames.get(i + 1).doubleValue();
            if (t <= from || t > to) continue; // a frame counts when it ends in the window
            n++;
            longest = Math.max(longest, d);
            if (d > 50) {
                over50++;
                slow.add(new double[]{t, d});
            }
        }
        double longestTask = 0;
        long longTasks = 0;
        for (int i = 0; i + 1 < tasks.size(); i += 2) {
            double start = tasks.get(i).doubleValue(), d = tasks.get(i + 1).doubleValue();
            if (start + d <= from || start > to) continue;
            longTasks++;
            longestTask = Math.max(longestTask, d);
        }
        return new Figures(recording.hosts(), recording.events().size(), firstRender, firstPaint, longest, longestTask, longTasks, over50, n,
                (long) number(js("return document.getElementsByTagName('*').length")), front.maxLagMs(), cpu, explain(slow, replayed));
    }

    /**
     * The slow frames, longest first: when (ms after navigation and after the replay started), how long, the events
     * the recording published in the 250 ms before, and the Long Animation Frame that covers it (its script time, its
     * style and layout time, its scripts by duration with what invoked them).
     */
    @SuppressWarnings("unchecked")
    private List<String> explain(List<double[]> slow, boolean replayed) {
        List<Map<String, Object>> loafs = (List<Map<String, Object>>) js("return window.__probe.loaf");
        slow.sort((a, b) -> Double.compare(b[1], a[1]));
        List<String> lines = new java.util.ArrayList<>();
        for (double[] f : slow.subList(0, Math.min(12, slow.size()))) {
            double t = f[0], d = f[1];
            StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "frame %.0f ms ending at %.0f ms", d, t));
            if (replayed && t > playStart) {
                long offset = Math.round(t - playStart);
                long near = recording.events().stream().filter(e -> e.offsetMs() > offset - d - 250 && e.offsetMs() <= offset).count();
                line.append(String.format(java.util.Locale.ROOT, " (replay +%d ms, %d events in the %.0f ms before)", offset, near, d + 250));
            }
            for (Map<String, Object> l : loafs) {
                double start = number(l.get("start")), dur = number(l.get("duration"));
                if (start + dur < t - d - 1 || start > t + 1) continue;
                double render = number(l.get("renderStart")), style = number(l.get("styleAndLayoutStart"));
                line.append(String.format(java.util.Locale.ROOT, "%n    loaf %.0f ms at %.0f: blocking %.0f, render %.0f (style+layout %.0f)",
                        dur, start, number(l.get("blocking")), render > 0 ? start + dur - render : 0, style > 0 ? start + dur - style : 0));
                List<Map<String, Object>> scripts = new java.util.ArrayList<>((List<Map<String, Object>>) l.get("scripts"));
                scripts.sort((a, b) -> Double.compare(number(b.get("duration")), number(a.get("duration"))));
                for (Map<String, Object> sc : scripts.subList(0, Math.min(4, scripts.size()))) {
                    line.append(String.format(java.util.Locale.ROOT, "%n      script %.0f ms (forced style+layout %.0f) %s %s %s:%s", number(sc.get("duration")),
                            number(sc.get("forced")), sc.get("invoker"), sc.get("fn"), sc.get("url"), sc.get("pos")));
                }
            }
            lines.add(line.toString());
        }
        if (replayed) lines.add(loadFrames(loafs, (List<Number>) js("return window.__probe.frames")));
        Object profile = js("return window.__prof ? JSON.stringify(window.__prof) : null"); // a page built with timings of its own
        if (profile != null) lines.add("page timings: " + profile);
        return lines;
    }

    /**
     * The page load's frames, up to the view showing every host: the longest (from the page's first frame, before the
     * first render too); its Long Animation Frames (only frames over 50 ms are), the longest with its script time, and
     * the script time of all of them.
     */
    @SuppressWarnings("unchecked")
    private String loadFrames(List<Map<String, Object>> loafs, List<Number> frames) {
        double longestFrame = 0, at = 0;
        for (int i = 0; i + 1 < frames.size(); i += 2) {
            double t = frames.get(i).doubleValue(), d = frames.get(i + 1).doubleValue();
            if (t - d > loaded) break;
            if (d > longestFrame) {
                longestFrame = d;
                at = t;
            }
        }
        double longest = 0, longestScript = 0, allScript = 0;
        int n = 0;
        for (Map<String, Object> l : loafs) {
            if (number(l.get("start")) > loaded) continue;
            n++;
            double script = 0;
            for (Map<String, Object> sc : (List<Map<String, Object>>) l.get("scripts")) script += number(sc.get("duration"));
            allScript += script;
            if (number(l.get("duration")) > longest) {
                longest = number(l.get("duration"));
                longestScript = script;
            }
        }
        return String.format(java.util.Locale.ROOT, "page load (to every host shown, %.0f ms): longest frame %.0f ms ending at %.0f ms;"
                + " %d frames over 50 ms, the longest %.0f ms with %.0f ms of script; script in those frames %.0f ms",
                loaded, longestFrame, at, n, longest, longestScript, allScript);
    }

    /**
     * Types {@code filter} (lower case) into the event log's filter and returns the steps of the log lines in the DOM
     * once the log has drawn the lines that match it.
     */
    @SuppressWarnings("unchecked")
    List<String> logSteps(String filter) {
        js("const f = document.querySelector('[data-testid=log-filter]'); f.value = arguments[0];"
                + " f.dispatchEvent(new Event('input', { bubbles: true }))", filter);
        String lines = "[...document.querySelectorAll('[data-testid=event-log] li')]";
        await("log lines matching '" + filter + "'").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> Boolean.TRUE.equals(js("return document.querySelector('[data-testid=event-log]').dataset.filter === arguments[0]"
                        + " && " + lines + ".every(l => l.textContent.toLowerCase().includes(arguments[0]))", filter)));
        return (List<String>) js("return " + lines + ".map(l => l.querySelector('.ev-step').textContent)");
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser()).executeScript(script, args);
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
