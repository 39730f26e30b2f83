package dev.baton.ssh;

import com.jcraft.jsch.ChannelDirectTCPIP;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * OpenSSH's ProxyJump: the target's SSH connection runs inside a direct-tcpip channel of an authenticated session
 * to the jump host, so the jump host only forwards bytes and never sees the target's keys or commands.
 */
final class JumpHostProxy implements Proxy {
    private final Session jump;
    private ChannelDirectTCPIP channel;
    private InputStream in;
    private OutputStream out;

    JumpHostProxy(Session jump) {
        this.jump = jump;
    }

    @Override
    public void connect(SocketFactory ignored, String host, int port, int timeout) throws Exception {
        channel = (ChannelDirectTCPIP) jump.openChannel("direct-tcpip");
        channel.setHost(host);
        channel.setPort(port);
        // the streams must exist before connect(): JSch then forwards the channel's data through them
        in = channel.getInputStream();
        out = channel.getOutputStream();
        channel.connect(timeout);
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        if (channel != null) channel.disconnect();
        jump.disconnect();
    }
}
