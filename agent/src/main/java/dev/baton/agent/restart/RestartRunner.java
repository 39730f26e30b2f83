package dev.baton.agent.restart;

import dev.baton.agent.app.Pids;
import dev.baton.agent.app.ProcessControl;
import dev.baton.agent.app.ReadinessProbe;
import dev.baton.agent.release.ReleaseInstaller;
import dev.baton.agent.release.ReleaseStore;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one restart, phase by phase, recording each in its {@link Operation}.
 * Nothing is stopped before the new release is fetched and verified, and failures are reported, never rolled back:
 * the orchestrator decides what happens next.
 */
final class RestartRunner implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RestartRunner.class);
    private static final long POLL_MILLIS = 100;
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration HANDOFF_EXIT_GRACE = Duration.ofSeconds(5);

    private final Operation operation;
    private final RestartPlan plan;
    private final ReleaseStore store;
    private final ReleaseInstaller installer;
    private final ProcessControl app;
    private final ReadinessProbe probe;
    private final PhaseRecorder phases;
    private final int keepReleases;

    RestartRunner(Operation operation, RestartPlan plan, ReleaseStore store, ReleaseInstaller installer,
                  ProcessControl app, ReadinessProbe probe, int keepReleases) {
        this.operation = operation;
        this.plan = plan;
        this.store = store;
        this.installer = installer;
        this.app = app;
        this.probe = probe;
        this.phases = new PhaseRecorder(operation);
        this.keepReleases = keepReleases;
    }

    @Override
    public void run() {
        LOG.info("{}: {} to version {} ({})", operation.id(), plan.strategy().wireName(), plan.version(), app.name());
        try {
            if (plan.strategy() == Strategy.HANDOFF) {
                handoff();
            } else {
                stopStart();
            }
            operation.succeed();
            LOG.info("{}: succeeded", operation.id());
            removeOldReleases();
        } catch (PhaseFailure e) {
            operation.fail(e.getMessage());
            LOG.warn("{}: failed: {}", operation.id(), e.getMessage());
        } catch (InterruptedException e) {
            operation.fail("interrupted: the agent is shutting down");
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{}: internal error", operation.id(), e);
            operation.fail("internal error: " + PhaseRecorder.oneLine(e));
        }
    }

    /** Never the current or the previous release: a rollback must stay instant. */
    private void removeOldReleases() {
        java.util.Set<String> kept = new java.util.HashSet<>();
        kept.add(plan.version());
        String previous = operation.snapshot().previousVersion();
        if (previous != null) {
            kept.add(previous);
        }
        try {
            java.util.List<String> removed = store.removeOldReleases(keepReleases, kept);
            if (!removed.isEmpty()) {
                LOG.info("{}: removed old releases {}", operation.id(), removed);
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("{}: could not remove old releases: {}", operation.id(), e.getMessage());
        }
    }

    private void stopStart() throws PhaseFailure, InterruptedException {
        fetch();
        drain();
        switchRelease();
        Deadline deadline = Deadline.after(plan.readyTimeout());
        long pid = start(deadline);
        awaitReady(pid, deadline);
    }

    private void handoff() throws PhaseFailure, InterruptedException {
        fetch();
        OptionalLong running = runningPidOrFail("signal");
        switchRelease();
        Deadline deadline = Deadline.after(plan.readyTimeout());
        if (running.isEmpty()) {
            phases.run("signal", () -> PhaseResult.skipped("no app running; starting it instead"));
            long pid = start(deadline);
            awaitReady(pid, deadline);
            phases.run("drain", () -> PhaseResult.skipped("no app running"));
            return;
        }
        long oldPid = running.getAsLong();
        operation.oldPid(oldPid);
        phases.run("signal", () -> PhaseResult.done(app.handOff(oldPid)));
        awaitSuccessor(oldPid, deadline);
        Duration exitTimeout = plan.drainTimeout().plus(HANDOFF_EXIT_GRACE);
        phases.run("drain", () -> awaitPredecessorExit(oldPid, exitTimeout));
    }

    private void fetch() throws PhaseFailure, InterruptedException {
        phases.run("fetch", () -> {
            if (store.isInstalled(plan.version())) {
                return PhaseResult.skipped("version " + plan.version() + " is already installed");
            }
            if (plan.artifactUrl() == null) {
                throw new PhaseFailure("version " + plan.version() + " is not installed and no artifact was given");
            }
            if (!installer.installIfMissing(plan.version(), plan.artifactUrl(), plan.sha256())) {
                return PhaseResult.skipped("version " + plan.version() + " is already installed");
            }
            return PhaseResult.done("installed from " + dev.baton.agent.release.ArtifactPolicy.redact(plan.artifactUrl()));
        });
    }

    /** A pidfile naming a process that is not the app fails the operation before anything changed. */
    private OptionalLong runningPidOrFail(String phase) throws PhaseFailure, InterruptedException {
        OptionalLong[] running = new OptionalLong[1];
        try {
            running[0] = app.mainPid();
        } catch (java.io.IOException e) {
            phases.run(phase, () -> {
                throw new PhaseFailure(e.getMessage());
            });
        }
        return running[0];
    }

    private void drain() throws PhaseFailure, InterruptedException {
        phases.run("drain", () -> {
            OptionalLong running = app.mainPid();
            if (running.isEmpty()) {
                return PhaseResult.skipped("no app running");
            }
            long pid = running.getAsLong();
            operation.oldPid(pid);
            return PhaseResult.done(app.stop(pid, plan.drainTimeout()));
        });
    }

    /** The predecessor drains by itself after a hand-off; it is SIGKILLed if it is still running after the timeout. */
    private PhaseResult awaitPredecessorExit(long pid, Duration timeout)
            throws PhaseFailure, InterruptedException, java.io.IOException {
        long started = System.nanoTime();
        if (Pids.waitForExit(pid, timeout)) {
            return PhaseResult.done("exited after " + elapsedSince(started));
        }
        app.kill(pid);
        if (!Pids.waitForExit(pid, KILL_WAIT)) {
            throw new PhaseFailure("pid " + pid + " still running " + seconds(KILL_WAIT) + " after SIGKILL");
        }
        return PhaseResult.done("killed after drain timeout " + seconds(timeout));
    }

    private void switchRelease() throws PhaseFailure, InterruptedException {
        phases.run("switch", () -> {
            String previous = store.currentVersion().orElse(null);
            operation.previousVersion(previous);
            store.switchTo(plan.version());
            return PhaseResult.done("current " + (previous == null ? "(none)" : previous) + " -> " + plan.version());
        });
    }

    private long start(Deadline deadline) throws PhaseFailure, InterruptedException {
        long[] pid = new long[1];
        phases.run("start", () -> {
            long started = System.nanoTime();
            pid[0] = app.start(deadline.remaining());
            operation.newPid(pid[0]);
            return PhaseResult.done("pid " + pid[0] + " after " + elapsedSince(started));
        });
        return pid[0];
    }

    private void awaitReady(long pid, Deadline deadline) throws PhaseFailure, InterruptedException {
        phases.run("ready", () -> {
            long started = System.nanoTime();
            while (true) {
                ReadinessProbe.Result result = probe.probe();
                if (result.ready()) {
                    return PhaseResult.done("ready after " + elapsedSince(started));
                }
                if (!Pids.isAlive(pid)) {
                    throw new PhaseFailure("app pid " + pid + " exited before becoming ready (see app.log)");
                }
                if (deadline.passed()) {
                    throw notReady(result);
                }
                Thread.sleep(POLL_MILLIS);
            }
        });
    }

    /** Waits until the main pid is a new live pid (the hot-restart successor) and the app answers ready. */
    private void awaitSuccessor(long oldPid, Deadline deadline) throws PhaseFailure, InterruptedException {
        phases.run("ready", () -> {
            long started = System.nanoTime();
            long successor = 0;
            while (true) {
                if (successor == 0) {
                    OptionalLong written = app.mainPid();
                    if (written.isPresent() && written.getAsLong() != oldPid) {
                        successor = written.getAsLong();
                        operation.newPid(successor);
                    } else if (!app.restartsOnExit() && !Pids.isAlive(oldPid)) {
                        throw new PhaseFailure("app pid " + oldPid + " exited without a successor (see app.log)");
                    }
                }
                if (successor != 0) {
                    ReadinessProbe.Result result = probe.probe();
                    if (result.ready()) {
                        return PhaseResult.done("pid " + successor + " ready after "
                                + elapsedSince(started));
                    }
                    if (!Pids.isAlive(successor)) {
                        throw new PhaseFailure("successor pid " + successor + " exited before becoming ready (see app.log)");
                    }
                    if (deadline.passed()) {
                        throw notReady(result);
                    }
                } else if (deadline.passed()) {
                    throw new PhaseFailure("no successor of pid " + oldPid + " after " + seconds(plan.readyTimeout())
                            + (app.restartsOnExit() ? " (see the supervisor's log)" : " (see app.log)"));
                }
                Thread.sleep(POLL_MILLIS);
            }
        });
    }

    private PhaseFailure notReady(ReadinessProbe.Result last) {
        return new PhaseFailure("app not ready after " + seconds(plan.readyTimeout()) + ": last answer " + last.answer());
    }

    /** A measured time: "1.23s". */
    static String elapsedSince(long startNanos) {
        return String.format(Locale.ROOT, "%.2fs", (System.nanoTime() - startNanos) / 1e9);
    }

    /** A configured time: "30s", or "1.5s" when not whole seconds. */
    static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.2fs", millis / 1000.0);
    }

    private record Deadline(long endNanos) {
        static Deadline after(Duration duration) {
            return new Deadline(System.nanoTime() + duration.toNanos());
        }

        boolean passed() {
            return System.nanoTime() - endNanos >= 0;
        }

        Duration remaining() {
            long left = endNanos - System.nanoTime();
            return Duration.ofNanos(Math.max(left, 1_000_000));
        }
    }
}
