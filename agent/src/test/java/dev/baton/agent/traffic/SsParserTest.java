package dev.baton.agent.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Output captured with iproute2 6.1 on Linux 6.x (Debian 12); the files in src/test/resources/ss are byte for
 * byte what ss printed, trailing blanks and all.
 */
class SsParserTest {

    @Test
    void readsEstablishedIpv4SocketsWithTheirDetailsOnTheNextLine() throws IOException {
        // ss -Htin state established '( sport = :18080 )': no State column, details on a tab-indented line
        List<TcpConnection> connections = SsParser.parse(capture("ipv4-established.txt"));

        assertThat(connections).containsExactly(
                new TcpConnection("ESTAB", address("127.0.0.1", 18080), address("127.0.0.9", 45393), 27),
                // no bytes_received at all: ss leaves it out while it is zero
                new TcpConnection("ESTAB", address("127.0.0.1", 18080), address("127.0.0.1", 48868), 0));
    }

    @Test
    void readsDetailsOnTheSameLine() throws IOException {
        // ss -HtinO state established '( sport = :18080 )' on the same two sockets
        assertThat(SsParser.parse(capture("ipv4-established-oneline.txt")))
                .isEqualTo(SsParser.parse(capture("ipv4-established.txt")));
    }

    @Test
    void readsEveryConnectedStateWithTheStateColumn() throws IOException {
        // ss -Htin state connected '( sport = :18080 )'
        List<TcpConnection> connections = SsParser.parse(capture("ipv4-connected.txt"));

        assertThat(connections).extracting(TcpConnection::state)
                .containsExactly("CLOSE-WAIT", "FIN-WAIT-2", "ESTAB", "ESTAB", "TIME-WAIT");
        // 10 bytes and the peer's FIN, which takes one sequence number
        assertThat(connections.get(0).bytesReceived()).isEqualTo(11);
        assertThat(connections.get(0).established()).isFalse();
        // TIME-WAIT and FIN-WAIT-2 mini sockets have an all-blank details line
        assertThat(connections.get(1).bytesReceived()).isEqualTo(TcpConnection.UNKNOWN);
        assertThat(connections.get(2).bytesReceived()).isEqualTo(27);
        assertThat(connections.get(2).established()).isTrue();
        assertThat(connections.get(4).peer()).isEqualTo(address("127.0.0.9", 49229));
        assertThat(connections.get(4).bytesReceived()).isEqualTo(TcpConnection.UNKNOWN);
    }

    @Test
    void readsIpv4MappedAndIpv6AddressesOfADualStackListener() throws IOException {
        // ss -Htin state connected '( sport = :18081 )' for a listener on [::]:18081 with IPV6_V6ONLY off
        List<TcpConnection> connections = SsParser.parse(capture("dual-stack-connected.txt"));

        assertThat(connections).containsExactly(
                new TcpConnection("TIME-WAIT", address("127.0.0.1", 18081), address("127.0.0.9", 41207),
                        TcpConnection.UNKNOWN),
                new TcpConnection("ESTAB", address("127.0.0.1", 18081), address("127.0.0.1", 39156), 34),
                new TcpConnection("ESTAB", address("::1", 18081), address("::1", 45950), 3));
    }

    @Test
    void readsEmptyOutputAsNoConnections() {
        assertThat(SsParser.parse("")).isEmpty();
        assertThat(SsParser.parse("\n")).isEmpty();
    }

    @Test
    void readsInterfaceSuffixesAndScopedIpv6() {
        List<TcpConnection> connections = SsParser.parse(
                "ESTAB 0 0 127.0.0.1%lo:8080 127.0.0.1:5000\n\t bytes_received:9\n"
                        + "ESTAB 0 0 [fe80::1%eth0]:8080 [fe80::2]:5001\n\t cwnd:10\n");

        assertThat(connections).extracting(TcpConnection::local)
                .containsExactly(address("127.0.0.1", 8080), address("fe80::1", 8080));
        assertThat(connections).extracting(TcpConnection::bytesReceived).containsExactly(9L, 0L);
    }

    @Test
    void refusesOutputItDoesNotUnderstand() {
        assertThatThrownBy(() -> SsParser.parse("Recv-Q Send-Q Local Address:Port Peer Address:Port\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a socket line");
        assertThatThrownBy(() -> SsParser.parse("ESTAB 0 0 somehost:8080 127.0.0.1:5000\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad address somehost:8080");
        assertThatThrownBy(() -> SsParser.parse("\t bytes_received:5\n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SsParser.parse("ESTAB 0 0 127.0.0.1:8080 127.0.0.1:5000 bytes_received:x\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesAddressLiteralsWithoutLookingAnythingUp() {
        assertThat(IpLiteral.parse("10.0.0.7")).hasValueSatisfying(a -> assertThat(a.getHostAddress()).isEqualTo("10.0.0.7"));
        assertThat(IpLiteral.parse("::ffff:127.0.0.9")).isEqualTo(IpLiteral.parse("127.0.0.9"));
        assertThat(IpLiteral.parse("[::1]")).isEqualTo(IpLiteral.parse("0:0:0:0:0:0:0:1"));
        for (String bad : List.of("", "localhost", "example.com", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01234.1.1.1",
                "::g", "1:2:3:4:5:6:7:8:9", "-1.0.0.0", " 1.2.3.4")) {
            assertThat(IpLiteral.parse(bad)).as("'%s'", bad).isEmpty();
        }
    }

    static String capture(String name) throws IOException {
        try (InputStream in = SsParserTest.class.getResourceAsStream("/ss/" + name)) {
            assertThat(in).as("test resource ss/%s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(IpLiteral.parse(ip).orElseThrow(), port);
    }
}
