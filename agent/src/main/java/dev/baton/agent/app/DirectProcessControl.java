package dev.baton.agent.app;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code process} strategy: the agent launches the app itself and knows it by its pidfile, checked against the
 * recorded identity (start time and executable) before every signal.
 */
public final class DirectProcessControl implements ProcessControl {

    private static final Logger LOG = LoggerFactory.getLogger(DirectProcessControl.class);
    private static final long POLL_MILLIS = 100;

    private final AppControl app;
    private final HandoffSignal handoffSignal;

    public DirectProcessControl(AppControl app, HandoffSignal handoffSignal) {
        this.app = app;
        this.handoffSignal = handoffSignal;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public OptionalLong mainPid() throws UntrustedPidException {
        return app.runningPid();
    }

    @Override
    public String stop(long pid, Duration drainTimeout) throws IOException, InterruptedException {
        long started = System.nanoTime();
        app.terminate(pid);
        if (Pids.waitForExit(pid, drainTimeout)) {
            return "exited after " + ProcessExit.elapsedSince(started);
        }
        app.kill(pid);
        if (!Pids.waitForExit(pid, ProcessExit.KILL_WAIT)) {
            throw new IOException("pid " + pid + " still running " + ProcessExit.seconds(ProcessExit.KILL_WAIT)
                    + " after SIGKILL");
        }
        return "killed after drain timeout " + ProcessExit.seconds(drainTimeout);
    }

    /** Returns once the app wrote its pidfile: the demo app does so when it serves. */
    @Override
    public long start(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process = app.start();
        while (true) {
            OptionalLong written = app.trustedPidFromFile();
            if (written.isPresent()) {
                return written.getAsLong();
            }
            if (!process.isAlive()) {
                throw new IOException("app exited with code " + process.exitValue()
                        + " before writing its pidfile (see app.log)");
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("app wrote no pidfile within " + ProcessExit.seconds(timeout) + " (see app.log)");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    @Override
    public java.util.Optional<String> handOffRefusal() {
        return java.util.Optional.empty();
    }

    @Override
    public String handOff(long pid) throws IOException, InterruptedException {
        app.signalHandOff(pid, handoffSignal);
        return handoffSignal.signalName() + " sent to pid " + pid;
    }

    /** The successor writes the pidfile before its predecessor exits: an exit without a new pid is a failed hand-off. */
    @Override
    public boolean restartsOnExit() {
        return false;
    }

    @Override
    public void kill(long pid) throws IOException {
        app.kill(pid);
    }

    @Override
    public void onAgentStart(boolean hasCurrentRelease) {
        OptionalLong running;
        try {
            running = app.trustedPidFromFile();
        } catch (UntrustedPidException e) {
            LOG.warn("{}; starting the app instead", e.getMessage());
            running = OptionalLong.empty();
        }
        if (running.isPresent()) {
            LOG.info("adopted running app pid {}", running.getAsLong());
            return;
        }
        if (!hasCurrentRelease) {
            LOG.info("no current release yet; waiting for a restart request");
            return;
        }
        try {
            app.start();
        } catch (IOException e) {
            LOG.error("could not start the app of the current release: {}", e.getMessage());
        }
    }
}
