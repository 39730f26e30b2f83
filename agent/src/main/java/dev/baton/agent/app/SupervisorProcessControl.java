package dev.baton.agent.app;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code systemd} and {@code command} strategies: a supervisor owns the app and the agent only asks it, through
 * its commands, to stop (the supervisor's drain: SIGTERM, its own stop timeout), start, reload (the hand-off) and
 * report the main pid. The agent never starts the app itself, not even when it starts.
 */
public final class SupervisorProcessControl implements ProcessControl {

    private static final Logger LOG = LoggerFactory.getLogger(SupervisorProcessControl.class);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(10);
    /** Time for the stop command itself on top of the drain: a supervisor answers after its process exited. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(5);
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 100;

    private final String name;
    private final SupervisorCommands commands;
    private final ControlCommand runner;
    private final ReleaseEnvironment release;

    public SupervisorProcessControl(String name, SupervisorCommands commands, ControlCommand runner,
                                    ReleaseEnvironment release) {
        this.name = name;
        this.commands = commands;
        this.runner = runner;
        this.release = release;
    }

    @Override
    public String name() {
        return name;
    }

    /** The status command's pid, if it exits 0 and names a live process. */
    @Override
    public OptionalLong mainPid() throws IOException, InterruptedException {
        ControlCommand.Result status = run(commands.status(), STATUS_TIMEOUT);
        if (!status.succeeded()) {
            return OptionalLong.empty();
        }
        OptionalLong pid = MainPidOutput.parse(status.output());
        return pid.isPresent() && Pids.isAlive(pid.getAsLong()) ? pid : OptionalLong.empty();
    }

    @Override
    public String stop(long pid, Duration drainTimeout) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        String said;
        try {
            ControlCommand.Result result = run(commands.stop(), drainTimeout.plus(STOP_MARGIN));
            said = result.succeeded() ? "'" + String.join(" ", commands.stop()) + "'" : result.describe();
        } catch (ControlCommand.TimedOut e) {
            said = e.getMessage();
        }
        String outcome = ProcessExit.awaitOrKill(pid, handle, started, drainTimeout);
        return "pid " + pid + " " + outcome + " (" + said + ")";
    }

    @Override
    public long start(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ControlCommand.Result result = run(commands.start(), timeout);
        if (!result.succeeded()) {
            throw new IOException("start failed: " + result.describe());
        }
        while (true) {
            OptionalLong pid = mainPid();
            if (pid.isPresent()) {
                return pid.getAsLong();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("'" + String.join(" ", commands.status()) + "' named no running main pid within "
                        + ProcessExit.seconds(timeout) + " after '" + String.join(" ", commands.start()) + "'");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    @Override
    public Optional<String> handOffRefusal() {
        return commands.reload() == null ? Optional.of(commands.reloadMissing()) : Optional.empty();
    }

    @Override
    public String handOff(long pid) throws IOException, InterruptedException {
        if (commands.reload() == null) {
            throw new IOException(commands.reloadMissing());
        }
        ControlCommand.Result result = run(commands.reload(), RELOAD_TIMEOUT);
        if (!result.succeeded()) {
            throw new IOException("reload failed: " + result.describe());
        }
        return "'" + String.join(" ", commands.reload()) + "' for pid " + pid;
    }

    @Override
    public boolean restartsOnExit() {
        return true;
    }

    @Override
    public void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Override
    public void onAgentStart(boolean hasCurrentRelease) {
        try {
            OptionalLong pid = mainPid();
            LOG.info("{}: the supervisor runs the app{}", name,
                    pid.isPresent() ? " as pid " + pid.getAsLong() : "; it is not running now");
        } catch (IOException e) {
            LOG.warn("{}: cannot ask for the app's main pid: {}", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ControlCommand.Result run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        return runner.run(argv, release.variables(), timeout);
    }
}
