package dev.baton.agent.app;

import dev.baton.agent.AgentHome;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Launches the app from the current release and says which pid is the app right now. */
public final class AppControl {

    private static final Logger LOG = LoggerFactory.getLogger(AppControl.class);

    private final AgentHome home;
    private final AppCommand command;
    private final PidFile pidFile;
    private volatile Process child;

    public AppControl(AgentHome home, AppCommand command) {
        this.home = home;
        this.command = command;
        this.pidFile = new PidFile(home.pidFile());
    }

    public PidFile pidFile() {
        return pidFile;
    }

    /**
     * The live app pid: the pidfile's, or else the process this agent launched that has not written the pidfile yet
     * (so a restart right after launch still stops it).
     */
    public OptionalLong runningPid() {
        OptionalLong fromFile = pidFile.readLive();
        if (fromFile.isPresent()) {
            return fromFile;
        }
        Process launched = child;
        if (launched != null && launched.isAlive()) {
            return OptionalLong.of(launched.pid());
        }
        return OptionalLong.empty();
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
        builder.environment().put("PIDFILE", pidFile.path().toString());
        Process process = builder.start();
        child = process;
        LOG.info("started app pid {}: {}", process.pid(), String.join(" ", argv));
        return process;
    }
}
