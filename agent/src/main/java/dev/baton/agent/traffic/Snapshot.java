package dev.baton.agent.traffic;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The app port's connections at one sample, without those from ignored addresses.
 *
 * @param truncated ss printed more than we read: such a port is busy, and a sample we cannot compare
 *                  always counts as activity
 */
record Snapshot(Map<Tuple, TcpConnection> connections, boolean truncated) {

    record Tuple(InetSocketAddress local, InetSocketAddress peer) {
    }

    Snapshot {
        connections = Map.copyOf(connections);
    }

    static Snapshot of(List<TcpConnection> all, Set<InetAddress> ignored, boolean truncated) {
        Map<Tuple, TcpConnection> counted = new HashMap<>();
        for (TcpConnection connection : all) {
            if (!ignored.contains(connection.peer().getAddress())) {
                counted.put(new Tuple(connection.local(), connection.peer()), connection);
            }
        }
        return new Snapshot(counted, truncated);
    }

    /** A connection not in {@code earlier}, or one that received bytes since, means the app still gets traffic. */
    boolean showsActivitySince(Snapshot earlier) {
        if (truncated) {
            return true;
        }
        for (Map.Entry<Tuple, TcpConnection> entry : connections.entrySet()) {
            TcpConnection before = earlier.connections.get(entry.getKey());
            if (before == null || receivedSince(before, entry.getValue())) {
                return true;
            }
        }
        return false;
    }

    int established() {
        return (int) connections.values().stream().filter(TcpConnection::established).count();
    }

    private static boolean receivedSince(TcpConnection before, TcpConnection now) {
        if (now.bytesReceived() == TcpConnection.UNKNOWN) {
            return false;
        }
        if (before.bytesReceived() == TcpConnection.UNKNOWN) {
            return true; // a new connection reuses the 4-tuple of one in TIME-WAIT
        }
        long delta = now.bytesReceived() - before.bytesReceived();
        // The peer's FIN takes one sequence number, which bytes_received counts: a peer closing is not traffic.
        if (delta == 1 && !now.established()) {
            return false;
        }
        return delta != 0; // fewer bytes than before: a new connection on the same 4-tuple
    }
}
