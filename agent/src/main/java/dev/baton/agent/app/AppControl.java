package dev.baton.agent.app;

import dev.baton.agent.AgentHome;
import dev.baton.agent.CleanEnvironment;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches the app from the current release, says which pid is the app right now, and signals it.
 * The pidfile alone is never trusted: the agent records the identity (start time and executable) of the process it
 * launched, and a pid is the app only if it matches that record, or is a hot-restart successor: a later process
 * running a program from this agent's releases. Anything else is refused and never signalled.
 */
public final class AppControl {

    private static final Logger LOG = LoggerFactory.getLogger(AppControl.class);
    private static final long EXEC_WAIT_MILLIS = 2_000;

    private final AgentHome home;
    private final AppCommand command;
    private final PidFile pidFile;
    private final Map<String, String> environment;
    private final Path identityFile;
    private volatile Process child;

    /** @param environment the app's whole environment (see {@link CleanEnvironment}); PIDFILE is added */
    public AppControl(AgentHome home, AppCommand command, Map<String, String> environment) {
        this.home = home;
        this.command = command;
        this.pidFile = new PidFile(home.pidFile());
        this.environment = Map.copyOf(environment);
        this.identityFile = home.root().resolve("app.identity");
    }

    public PidFile pidFile() {
        return pidFile;
    }

    /**
     * The live app pid: the pidfile's, or else the process this agent launched that has not written the pidfile yet
     * (so a restart right after launch still stops it).
     *
     * @throws UntrustedPidException if the pidfile names a live process that is not the app
     */
    public OptionalLong runningPid() throws UntrustedPidException {
        OptionalLong fromFile = trustedPidFromFile();
        if (fromFile.isPresent()) {
            return fromFile;
        }
        Process launched = child;
        if (launched != null && launched.isAlive()) {
            return OptionalLong.of(launched.pid());
        }
        return OptionalLong.empty();
    }

    /** The pidfile's pid if that process is alive and is the app; empty if there is no live pid in it. */
    public OptionalLong trustedPidFromFile() throws UntrustedPidException {
        OptionalLong pid = pidFile.readLive();
        if (pid.isPresent()) {
            verify(pid.getAsLong());
        }
        return pid;
    }

    /** Starts the app from {@code <home>/current}, after removing a stale pidfile. Does not wait for it. */
    public Process start() throws IOException {
        pidFile.delete();
        List<String> argv = command.argv(home.current(), pidFile.path());
        if (!Files.isExecutable(home.current().resolve(command.program()))) {
            throw new IOException("app program " + argv.get(0) + " is missing or not executable");
        }
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(home.current().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.appLog().toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().put("PIDFILE", pidFile.path().toString());
        Process process = builder.start();
        child = process;
        Optional<ProcessIdentity> identity = awaitExec(process);
        if (identity.isPresent()) {
            record(identity.get());
        }
        LOG.info("started app pid {}: {}", process.pid(), String.join(" ", argv));
        return process;
    }

    /** SIGTERM, only if the pid is still the app. */
    public void terminate(long pid) throws UntrustedPidException {
        handle(pid).destroy();
    }

    /** SIGKILL, only if the pid is still the app. */
    public void kill(long pid) throws UntrustedPidException {
        handle(pid).destroyForcibly();
    }

    /** The hand-off signal (hand the listener to a fresh copy), only if the pid is the app. */
    public void signalHandOff(long pid, HandoffSignal signal) throws IOException, InterruptedException {
        verify(pid);
        Pids.signal(pid, signal);
    }

    /** A handle checks the start time again when it signals, so the pid cannot be reused in between. */
    private ProcessHandle handle(long pid) throws UntrustedPidException {
        verify(pid);
        return ProcessHandle.of(pid).orElseThrow(() -> new UntrustedPidException("pid " + pid + " is gone"));
    }

    /** @throws UntrustedPidException unless the pid is the recorded app or its hot-restart successor */
    void verify(long pid) throws UntrustedPidException {
        Optional<ProcessIdentity> seen = ProcessIdentity.of(pid);
        if (seen.isEmpty()) {
            throw new UntrustedPidException("pid " + pid + " from " + pidFile.path().getFileName()
                    + " cannot be identified; not signalling it");
        }
        ProcessIdentity identity = seen.get();
        Optional<ProcessIdentity> recorded = recorded();
        if (recorded.isPresent() && recorded.get().equals(identity)) {
            return;
        }
        if (isSuccessor(identity, recorded)) {
            record(identity);
            LOG.info("pid {} ({}) is the app's successor", pid, identity.exe());
            return;
        }
        String reason = recorded.isPresent() && recorded.get().pid() == pid
                ? "was started at another time than the app the agent started (a reused pid)"
                : "runs " + identity.exe() + ", not the app the agent started";
        throw new UntrustedPidException("pidfile names pid " + pid + ", which " + reason + "; not signalling it");
    }

    /** A later process running a program of one of this agent's releases: the app after a hot restart. */
    private boolean isSuccessor(ProcessIdentity identity, Optional<ProcessIdentity> recorded) {
        Path exe = Path.of(identity.exe());
        Path releases;
        try {
            releases = home.releases().toRealPath();
        } catch (IOException e) {
            return false;
        }
        boolean ours = exe.startsWith(releases) && exe.getFileName().equals(Path.of(command.program()).getFileName());
        return ours && recorded.map(r -> identity.startTicks() >= r.startTicks()).orElse(true);
    }

    /** The JDK returns once the child runs; its exec into the app (a script's: its interpreter) may lag behind. */
    private static Optional<ProcessIdentity> awaitExec(Process process) throws IOException {
        long deadline = System.nanoTime() + EXEC_WAIT_MILLIS * 1_000_000;
        String launcher = ProcessIdentity.of(ProcessHandle.current().pid()).map(ProcessIdentity::exe).orElse("");
        Optional<ProcessIdentity> identity = ProcessIdentity.of(process.pid());
        while (identity.isPresent() && isLauncher(identity.get().exe(), launcher)
                && System.nanoTime() - deadline < 0 && process.isAlive()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            identity = ProcessIdentity.of(process.pid());
        }
        if (!process.isAlive()) {
            return Optional.empty(); // it exited at once; the start phase reports how
        }
        if (identity.isEmpty() || isLauncher(identity.get().exe(), launcher)) {
            process.destroyForcibly();
            throw new IOException("cannot identify the started app pid " + process.pid() + " in /proc");
        }
        return identity;
    }

    private static boolean isLauncher(String exe, String javaExe) {
        return exe.equals(javaExe) || exe.endsWith("/jspawnhelper");
    }

    private Optional<ProcessIdentity> recorded() {
        try {
            return ProcessIdentity.parse(Files.readString(identityFile, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", identityFile, e.getMessage());
            return Optional.empty();
        }
    }

    private void record(ProcessIdentity identity) throws UntrustedPidException {
        try {
            Path temp = identityFile.resolveSibling(identityFile.getFileName() + ".tmp");
            Files.writeString(temp, identity.line() + "\n", StandardCharsets.UTF_8);
            Files.move(temp, identityFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UntrustedPidException("cannot record the app's identity in " + identityFile + ": " + e.getMessage());
        }
    }
}
