package dev.baton.ssh;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import dev.baton.rollout.StepFailure;

import java.nio.file.Files;
import java.util.Locale;

/**
 * Opens authenticated SSH sessions with the settings' key, checking every host key (the jump host's too) against
 * the known_hosts file. Each connection gets its own JSch instance: the file is read afresh (keys recorded by
 * accept-new are seen at once) and concurrent connections share no mutable state.
 */
public final class SshConnector {
    private final SshSettings settings;

    public SshConnector(SshSettings settings) {
        this.settings = settings;
    }

    public SshSettings settings() {
        return settings;
    }

    /** Connects to {@code host} (through the jump host, when configured) and authenticates with the key. */
    public SshSession open(String host) throws StepFailure {
        Session jump = null;
        if (settings.jumpHost() != null) {
            jump = connect(settings.jumpHost(), null, "jump host ");
        }
        SshSettings.Endpoint target = settings.target(host);
        Session session = connect(target, jump, "");
        return new SshSession(session, target);
    }

    private Session connect(SshSettings.Endpoint endpoint, Session through, String role) throws StepFailure {
        JSch jsch = new JSch();
        KnownHostsCheck hostKeys;
        try {
            PrivateKeyFile.check(settings.identityFile());
            jsch.addIdentity(settings.identityFile().toString());
            if (jsch.getIdentityRepository().getIdentities().stream().anyMatch(com.jcraft.jsch.Identity::isEncrypted)) {
                throw new StepFailure("ssh: the private key " + settings.identityFile() + " is protected by a passphrase, which Baton "
                        + "cannot type: give it a key of its own without one, readable only by its user");
            }
            if (Files.exists(settings.knownHosts())) jsch.setKnownHosts(settings.knownHosts().toString());
            hostKeys = new KnownHostsCheck(jsch.getHostKeyRepository(), settings.knownHosts(), settings.acceptNewHostKeys());
            jsch.setHostKeyRepository(hostKeys);
        } catch (JSchException e) {
            if (through != null) through.disconnect();
            throw new StepFailure("ssh: cannot use the private key " + settings.identityFile() + " or known_hosts "
                    + settings.knownHosts() + ": " + e.getMessage());
        }
        Session session;
        try {
            session = jsch.getSession(endpoint.user(), endpoint.host(), endpoint.port());
        } catch (JSchException e) {
            if (through != null) through.disconnect();
            throw new StepFailure("ssh " + role + endpoint + ": " + e.getMessage());
        }
        // "yes": anything but a matching key fails; KnownHostsCheck turns unknown keys into OK only for accept-new.
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", "publickey");
        session.setConfig("HashKnownHosts", "no");
        // JSch's reader thread must never keep the JVM alive, whatever happens to a session
        session.setDaemonThread(true);
        if (through != null) session.setProxy(new JumpHostProxy(through));
        int timeout = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
        try {
            session.setServerAliveInterval(Math.max(1000, timeout));
            session.setServerAliveCountMax(3);
            session.connect(timeout);
            return session;
        } catch (JSchException e) {
            session.disconnect();
            if (through != null) through.disconnect();
            if (hostKeys.rejection() != null) throw new StepFailure(hostKeys.rejection());
            throw new StepFailure(describe(role, endpoint, e));
        }
    }

    private String describe(String role, SshSettings.Endpoint endpoint, JSchException e) {
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("auth fail") || lower.contains("auth cancel")) {
            return "ssh " + role + endpoint + ": the server refused the key " + settings.identityFile()
                    + " (publickey authentication failed; is its .pub in the user's authorized_keys?)";
        }
        if (lower.contains("timeout") || lower.contains("timed out")) {
            return "ssh " + role + endpoint + ": no answer within " + settings.connectTimeout().toMillis() + " ms";
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return "ssh " + role + endpoint + ": cannot connect: " + (cause.getMessage() == null ? cause : cause.getMessage());
    }
}
