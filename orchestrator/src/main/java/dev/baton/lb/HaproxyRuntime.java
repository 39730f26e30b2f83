package dev.baton.lb;

import dev.baton.rollout.StepFailure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HAProxy's runtime API (the stats socket): one command per connection, text back.
 * The address is {@code unix:/path/to/socket} or {@code tcp:host:port}.
 */
public final class HaproxyRuntime {
    /** One server slot of a backend as {@code show servers state} reports it. */
    public record ServerState(String backend, String name, String address, int port, int operationalState, int adminState) {
        /** Admin flags that keep new requests away: forced/inherited/config maintenance, drain, DNS-resolution maintenance. */
        private static final int NO_NEW_REQUESTS = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20;

        /** Running (op state 2) with no maintenance or drain flag: HAProxy may send it new requests. */
        public boolean inRotation() {
            return operationalState == 2 && (adminState & NO_NEW_REQUESTS) == 0;
        }
    }

    private final String address;

    public HaproxyRuntime(String address) {
        this.address = address;
    }

    public List<ServerState> servers(String backend) throws StepFailure {
        return parseServersState(command("show servers state " + backend));
    }

    static List<ServerState> parseServersState(String text) {
        List<String> lines = text.lines().toList();
        List<String> header = null;
        List<ServerState> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("# be_id")) {
                header = Arrays.asList(line.substring(2).trim().split("\\s+"));
                continue;
            }
            if (header == null || line.isBlank() || line.startsWith("#") || !Character.isDigit(line.charAt(0))) continue;
            String[] f = line.trim().split("\\s+");
            out.add(new ServerState(f[header.indexOf("be_name")], f[header.indexOf("srv_name")], f[header.indexOf("srv_addr")],
                    Integer.parseInt(f[header.indexOf("srv_port")]), Integer.parseInt(f[header.indexOf("srv_op_state")]),
                    Integer.parseInt(f[header.indexOf("srv_admin_state")])));
        }
        return out;
    }

    String command(String command) throws StepFailure {
        try (SocketChannel channel = open()) {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.shutdownOutput();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            StringBuilder answer = new StringBuilder();
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                answer.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
                if (answer.length() > 4 * 1024 * 1024) throw new IOException("answer larger than 4 MiB");
            }
            return answer.toString();
        } catch (IOException e) {
            throw new StepFailure("HAProxy runtime API at " + address + " is unreachable: " + e.getMessage(), e);
        }
    }

    private SocketChannel open() throws IOException {
        if (address.startsWith("unix:")) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(Path.of(address.substring(5))));
            return channel;
        }
        if (address.startsWith("tcp:")) {
            String hostPort = address.substring(4);
            int colon = hostPort.lastIndexOf(':');
            SocketAddress target = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
            SocketChannel channel = SocketChannel.open();
            channel.socket().connect(target, 2000);
            return channel;
        }
        throw new IOException("address must start with unix: or tcp:");
    }
}
