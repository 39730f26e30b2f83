package dev.baton.lb;

import dev.baton.rollout.StepFailure;
import dev.baton.rollout.TrafficSample;
import dev.baton.wire.Excerpt;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * HAProxy's runtime API (the stats socket): one command per connection, text back, every exchange bounded
 * by a deadline. The address is {@code unix:/path/to/socket} or {@code tcp:host:port}.
 */
public final class HaproxyRuntime {
    /** How long one command may take in all (connect, send, answer) unless the caller's deadline is nearer. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    /** HAProxy's own rule for proxy names; anything else could smuggle a second command into the line. */
    private static final Pattern BACKEND_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    /** One server slot of a backend as {@code show servers state} reports it. */
    public record ServerState(String backend, String name, String address, int port, int operationalState, int adminState) {
        /** Admin flags that keep new requests away: forced/inherited/config maintenance, drain, DNS-resolution maintenance. */
        private static final int NO_NEW_REQUESTS = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20;

        /** Running (op state 2) with no maintenance or drain flag: HAProxy may send it new requests. */
        public boolean inRotation() {
            return operationalState == 2 && (adminState & NO_NEW_REQUESTS) == 0;
        }
    }

    /** One server slot's current sessions and queued requests ({@code show stat}); address "ip:port", empty when unresolved. */
    public record ServerSessions(String name, String address, int queued, int sessions) {
        public boolean idle() {
            return queued == 0 && sessions == 0;
        }
    }

    private final String address;
    private final Duration callTimeout;

    public HaproxyRuntime(String address) {
        this(address, CALL_TIMEOUT);
    }

    public HaproxyRuntime(String address, Duration callTimeout) {
        this.address = address;
        this.callTimeout = callTimeout;
    }

    Duration callTimeout() {
        return callTimeout;
    }

    /** Every server slot of the backend; a failure if HAProxy does not know the backend or answers anything unexpected. */
    public List<ServerState> servers(String backend) throws StepFailure {
        return servers(backend, Instant.now().plus(callTimeout), callTimeout);
    }

    List<ServerState> servers(String backend, Instant deadline, Duration budget) throws StepFailure {
        checkName(backend);
        return ServersState.parse(backend, socket().exchange("show servers state " + backend, deadline, budget));
    }

    /** {@code show stat} of the backend and its servers; a failure if HAProxy answers anything but that table. */
    public TrafficSample traffic(String backend) throws StepFailure {
        checkName(backend);
        return StatTable.parse(backend, socket().exchange("show stat " + backend + " " + StatTable.BACKEND_AND_SERVERS + " -1",
                Instant.now().plus(callTimeout), callTimeout));
    }

    private static void checkName(String backend) throws StepFailure {
        if (backend == null || !BACKEND_NAME.matcher(backend).matches()) {
            throw new StepFailure("HAProxy backend name " + Excerpt.quoted(backend) + " is not a valid proxy name");
        }
    }

    /** Every server slot's sessions and queue; a failure if HAProxy answers anything but the expected table. */
    public List<ServerSessions> sessions(String backend) throws StepFailure {
        return sessions(backend, Instant.now().plus(callTimeout), callTimeout);
    }

    List<ServerSessions> sessions(String backend, Instant deadline, Duration budget) throws StepFailure {
        checkName(backend);
        return ServerStats.parse(backend, socket().exchange("show stat " + backend + " " + ServerStats.SERVERS + " -1", deadline, budget));
    }

    private RuntimeSocket socket() throws StepFailure {
        try {
            return RuntimeSocket.at(address);
        } catch (IllegalArgumentException e) {
            throw new StepFailure(e.getMessage());
        }
    }
}
