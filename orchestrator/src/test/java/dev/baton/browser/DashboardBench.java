package dev.baton.browser;

/**
 * {@code bin/bench dashboard}: the rollout view in headless Chromium while a recorded 1,000-host rollout is replayed at
 * real speed through the real server (see {@link ReplayedDashboard}). Prints one line:
 * {@code dashboard: hosts=1000 first_render_ms=... longest_frame_ms=... ...}. In test scope because it drives the
 * browser tests' Chromium, Consul dev agent and replaying ports; {@code bin/bench dashboard} runs it from the test
 * classpath. {@code --hosts N} changes the fleet size;
 * {@code --idle-first} first measures the page as long with no event arriving (the machine's own noise);
 * {@code --explain} prints the slow frames with their Long Animation Frames (what ran in them).
 * The frames measured run from the first render (with {@code --idle-first}: from the start of the replay) to the end
 * of the replay plus 1.5 s.
 */
public final class DashboardBench {
    private DashboardBench() {
    }

    public static void main(String[] args) throws Exception {
        int hosts = 1000;
        boolean idleFirst = false;
        boolean explain = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--hosts") && i + 1 < args.length) hosts = Integer.parseInt(args[++i]);
            else if (args[i].equals("--idle-first")) idleFirst = true;
            else if (args[i].equals("--explain")) explain = true;
            else throw new IllegalArgumentException("usage: DashboardBench [--hosts N] [--idle-first] [--explain] (not " + args[i] + ")");
        }
        if (hosts < 20) throw new IllegalArgumentException("--hosts must be at least 20, not " + hosts);
        RecordedRollout.Shape shape = new RecordedRollout.Shape(hosts, Math.max(1, hosts / 100), Math.max(1, hosts / 10), 3, -1, 20261129L);
        try (ReplayedDashboard dashboard = ReplayedDashboard.start(shape)) {
            double firstRender = dashboard.open();
            if (idleFirst) print(dashboard.idle(firstRender), "dashboard-idle:", explain);
            print(dashboard.replay(firstRender), "dashboard:", explain);
        }
        System.exit(0);
    }

    private static void print(ReplayedDashboard.Figures figures, String prefix, boolean explain) {
        System.out.println(figures.line().replace("dashboard:", prefix));
        if (explain) figures.explained().forEach(line -> System.out.println("  " + line));
    }
}
