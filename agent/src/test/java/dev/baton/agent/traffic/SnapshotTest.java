package dev.baton.agent.traffic;

import static dev.baton.agent.traffic.SsParserTest.address;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    private static final TcpConnection IDLE = connection("ESTAB", "127.0.0.1", 40000, 0);
    private static final TcpConnection KEPT_ALIVE = connection("ESTAB", "127.0.0.9", 40001, 120);

    @Test
    void nothingNewIsQuiet() {
        Snapshot before = snapshot(IDLE, KEPT_ALIVE);

        assertThat(snapshot(IDLE, KEPT_ALIVE).showsActivitySince(before)).isFalse();
        assertThat(snapshot(KEPT_ALIVE).showsActivitySince(before)).as("a connection went away").isFalse();
        assertThat(snapshot().showsActivitySince(before)).isFalse();
    }

    @Test
    void aNewConnectionOrANewRequestOnAKeptAliveOneIsActivity() {
        Snapshot before = snapshot(IDLE, KEPT_ALIVE);

        assertThat(snapshot(IDLE, KEPT_ALIVE, connection("ESTAB", "10.0.0.5", 50000, 0)).showsActivitySince(before))
                .isTrue();
        assertThat(snapshot(IDLE, connection("ESTAB", "127.0.0.9", 40001, 240)).showsActivitySince(before)).isTrue();
        assertThat(snapshot(IDLE, KEPT_ALIVE, connection("TIME-WAIT", "10.0.0.5", 50001, TcpConnection.UNKNOWN))
                .showsActivitySince(before)).as("a whole request between two samples").isTrue();
        assertThat(snapshot(IDLE, KEPT_ALIVE, connection("SYN-RECV", "10.0.0.5", 50002, 0))
                .showsActivitySince(before)).isTrue();
    }

    @Test
    void closingIsNotActivity() {
        Snapshot before = snapshot(IDLE, KEPT_ALIVE);

        assertThat(snapshot(IDLE, connection("CLOSE-WAIT", "127.0.0.9", 40001, 121)).showsActivitySince(before))
                .as("the peer's FIN counts one byte").isFalse();
        assertThat(snapshot(IDLE, connection("TIME-WAIT", "127.0.0.9", 40001, TcpConnection.UNKNOWN))
                .showsActivitySince(before)).isFalse();
        assertThat(snapshot(IDLE, connection("CLOSE-WAIT", "127.0.0.9", 40001, 300)).showsActivitySince(before))
                .as("a last request before the FIN").isTrue();
    }

    @Test
    void aNewConnectionOnTheTupleOfAnOldOneIsActivity() {
        Snapshot before = snapshot(connection("TIME-WAIT", "127.0.0.9", 40001, TcpConnection.UNKNOWN));

        assertThat(snapshot(connection("ESTAB", "127.0.0.9", 40001, 0)).showsActivitySince(before)).isTrue();
        assertThat(snapshot(connection("ESTAB", "127.0.0.9", 40001, 10)).showsActivitySince(snapshot(KEPT_ALIVE)))
                .isTrue();
    }

    @Test
    void ignoredPeersDoNotCountAndATruncatedSampleAlwaysDoes() {
        Set<InetAddress> ignored = Set.of(IpLiteral.parse("127.0.0.9").orElseThrow());
        Snapshot before = Snapshot.of(List.of(IDLE), ignored, false);

        Snapshot after = Snapshot.of(List.of(IDLE, KEPT_ALIVE, connection("TIME-WAIT", "127.0.0.9", 3, -1)), ignored, false);
        assertThat(after.showsActivitySince(before)).isFalse();
        assertThat(after.established()).isEqualTo(1);
        assertThat(Snapshot.of(List.of(IDLE), Set.of(), true).showsActivitySince(before)).isTrue();
    }

    private static Snapshot snapshot(TcpConnection... connections) {
        return Snapshot.of(List.of(connections), Set.of(), false);
    }

    private static TcpConnection connection(String state, String peer, int peerPort, long bytesReceived) {
        return new TcpConnection(state, address("127.0.0.1", 8080), address(peer, peerPort), bytesReceived);
    }
}
