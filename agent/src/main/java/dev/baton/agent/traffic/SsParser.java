package dev.baton.agent.traffic;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the output of {@code ss -Htin [state ...]}: one socket per line ({@code [State] Recv-Q Send-Q Local Peer};
 * the State column is absent when a single state is asked for), its {@code -i} details on the following
 * tab-indented line, or on the same line with {@code -O}. Addresses look like {@code 127.0.0.1:8080},
 * {@code [::1]:8080} or {@code [::ffff:127.0.0.1]:8080}.
 */
public final class SsParser {

    private static final String BYTES_RECEIVED = "bytes_received:";

    private SsParser() {
    }

    /**
     * @throws IllegalArgumentException on a line that is not a socket: guessing could hide traffic
     */
    public static List<TcpConnection> parse(String output) {
        List<TcpConnection> connections = new ArrayList<>();
        Socket socket = null;
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (socket == null) {
                    throw new IllegalArgumentException("socket details before any socket: " + shortened(line));
                }
                socket.details(line.trim().split("\\s+"), 0);
                continue;
            }
            if (socket != null) {
                connections.add(socket.connection());
            }
            socket = Socket.parse(line);
        }
        if (socket != null) {
            connections.add(socket.connection());
        }
        return connections;
    }

    private static final class Socket {
        private final String state;
        private final InetSocketAddress local;
        private final InetSocketAddress peer;
        private boolean hasDetails;
        private long bytesReceived;

        private Socket(String state, InetSocketAddress local, InetSocketAddress peer) {
            this.state = state;
            this.local = local;
            this.peer = peer;
        }

        static Socket parse(String line) {
            String[] tokens = line.trim().split("\\s+");
            int at = 0;
            String state = "ESTAB";
            if (tokens.length > 0 && !isNumber(tokens[0])) {
                state = tokens[0];
                at = 1;
            }
            if (tokens.length < at + 4 || !isNumber(tokens[at]) || !isNumber(tokens[at + 1])) {
                throw new IllegalArgumentException("not a socket line: " + shortened(line));
            }
            Socket socket = new Socket(state, address(tokens[at + 2], line), address(tokens[at + 3], line));
            socket.details(tokens, at + 4);
            return socket;
        }

        void details(String[] tokens, int from) {
            for (int i = from; i < tokens.length; i++) {
                hasDetails = true;
                if (tokens[i].startsWith(BYTES_RECEIVED)) {
                    try {
                        bytesReceived = Long.parseLong(tokens[i].substring(BYTES_RECEIVED.length()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("bad " + tokens[i]);
                    }
                }
            }
        }

        TcpConnection connection() {
            // ss leaves bytes_received out while it is zero; without any details it is simply not known.
            return new TcpConnection(state, local, peer, hasDetails ? bytesReceived : TcpConnection.UNKNOWN);
        }
    }

    private static InetSocketAddress address(String text, String line) {
        int colon = text.lastIndexOf(':');
        String port = text.substring(colon + 1);
        if (colon <= 0 || !isNumber(port) || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("bad address " + shortened(text) + " in: " + shortened(line));
        }
        String host = text.substring(0, colon);
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone) + (host.startsWith("[") ? "]" : "");
        }
        return IpLiteral.parse(host)
                .map(address -> new InetSocketAddress(address, Integer.parseInt(port)))
                .orElseThrow(() -> new IllegalArgumentException("bad address " + shortened(text) + " in: " + shortened(line)));
    }

    private static boolean isNumber(String token) {
        if (token.isEmpty() || token.length() > 10) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String shortened(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
