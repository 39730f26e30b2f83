package dev.baton.agent.traffic;

import java.net.InetSocketAddress;

/**
 * One TCP socket as {@code ss} shows it.
 *
 * @param bytesReceived the kernel's {@code bytes_received}, or {@link #UNKNOWN} for sockets without details
 *                      (TIME-WAIT and other closed-down mini sockets)
 */
public record TcpConnection(String state, InetSocketAddress local, InetSocketAddress peer, long bytesReceived) {

    public static final long UNKNOWN = -1;

    public boolean established() {
        return "ESTAB".equals(state);
    }
}
