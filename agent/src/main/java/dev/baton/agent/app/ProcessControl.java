package dev.baton.agent.app;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * What the agent does to the app, whoever supervises it: the agent itself ({@code process}), systemd
 * ({@code systemd}) or an operator's supervisor through its commands ({@code command}). The restart phases (drain,
 * switch, start, ready, hand-off) are the same for all; only these steps differ. Failures are {@link IOException}s
 * with a complete one-line message.
 */
public interface ProcessControl {

    /** The strategy's name as configured: process, systemd or command. */
    String name();

    /**
     * The app's main pid right now, empty if it is not running.
     *
     * @throws UntrustedPidException if the pid on record names a process that is not the app
     */
    OptionalLong mainPid() throws IOException, InterruptedException;

    /**
     * Stops the running app, letting it drain, and returns once it exited: a detail such as "exited after 1.20s".
     * An app still running after {@code drainTimeout} is killed.
     */
    String stop(long pid, Duration drainTimeout) throws IOException, InterruptedException;

    /** Starts the app of the current release and returns its main pid once known, within {@code timeout}. */
    long start(Duration timeout) throws IOException, InterruptedException;

    /** Why a hand-off cannot be asked for at all (a one-line reason for the request's 400), or empty if it can. */
    java.util.Optional<String> handOffRefusal();

    /** Asks the app at {@code pid} to hand its listener to a successor; returns what was done, for the phase detail. */
    String handOff(long pid) throws IOException, InterruptedException;

    /**
     * Whether a main process that exits is followed by another without the agent's doing: a supervisor restarts it
     * (after a hand-off, runsv starts the app that takes the listener over). Then the main pid may be absent for a
     * moment during a hand-off without the hand-off having failed.
     */
    boolean restartsOnExit();

    /** SIGKILL for a predecessor that did not finish draining after a hand-off. */
    void kill(long pid) throws IOException;

    /** When the agent starts: adopt the running app, or start the current release if this strategy owns the app. */
    void onAgentStart(boolean hasCurrentRelease);
}
