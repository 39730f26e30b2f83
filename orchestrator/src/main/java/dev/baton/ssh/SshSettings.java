package dev.baton.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How Baton logs in to hosts: one user, port and private key for every host, host keys checked against
 * {@code knownHosts}. {@code jumpHost} null means a direct connection.
 */
public record SshSettings(String user, int port, Path identityFile, Path knownHosts, boolean acceptNewHostKeys,
                          Endpoint jumpHost, Duration connectTimeout) {

    /** One SSH server: the jump host, or a target host. */
    public record Endpoint(String host, int port, String user) {
        @Override
        public String toString() {
            return user + "@" + host + ":" + port;
        }
    }

    /** The settings a plan's {@code ssh:} section gives. */
    public static SshSettings from(dev.baton.plan.Plan.Ssh ssh) {
        Endpoint jump = ssh.jumpHost() == null ? null : new Endpoint(ssh.jumpHost().host(), ssh.jumpHost().port(), ssh.jumpHost().user());
        return new SshSettings(ssh.user(), ssh.port(), Path.of(ssh.identityFile()), Path.of(ssh.knownHosts()),
                ssh.unknownHosts() == dev.baton.plan.Plan.UnknownHosts.ACCEPT_NEW, jump, ssh.connectTimeout());
    }

    public Endpoint target(String host) {
        return new Endpoint(host, port, user);
    }
}
