package dev.baton.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's OpenSSH server on one loopback address, for the agentless tests: its own generated ed25519 host key,
 * public-key login only (ed25519 and RSA with SHA-2 signatures) for the keys in its authorized_keys, as the user
 * running the tests. {@link #rekey()} gives it a new host key, as a reinstalled host would have.
 */
public final class LocalSshd implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final String address;
    private final int port;
    private final boolean forwarding;
    private Processes processes;
    private Process process;

    private LocalSshd(Path dir, String address, int port, boolean forwarding) throws IOException {
        this.dir = dir;
        this.address = address;
        this.port = port;
        this.forwarding = forwarding;
    }

    /**
     * Starts sshd on {@code address:port} with its files in {@code dir}; {@code forwarding} lets it serve as a jump
     * host (direct-tcpip). Logins are allowed for the given public keys.
     */
    public static LocalSshd start(Path dir, String address, int port, boolean forwarding, List<Path> authorizedPublicKeys)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        LocalSshd sshd = new LocalSshd(dir, address, port, forwarding);
        StringBuilder keys = new StringBuilder();
        for (Path key : authorizedPublicKeys) keys.append(Files.readString(key).strip()).append('\n');
        Files.writeString(dir.resolve("authorized_keys"), keys);
        SshKeys.generate(dir.resolve("ssh_host_ed25519_key"), "ed25519");
        try {
            sshd.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            sshd.close();
            throw e;
        }
        return sshd;
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** The name in known_hosts: {@code [address]:port}. */
    public String knownHostsName() {
        return "[" + address + "]:" + port;
    }

    /** A known_hosts line for this server's current host key. */
    public String knownHostsLine() throws IOException {
        String[] pub = Files.readString(dir.resolve("ssh_host_ed25519_key.pub")).strip().split("\\s+");
        return knownHostsName() + " " + pub[0] + " " + pub[1];
    }

    public String hostKeyFingerprint() throws IOException, InterruptedException {
        return SshKeys.fingerprint(dir.resolve("ssh_host_ed25519_key.pub"));
    }

    public Path log() {
        return dir.resolve("sshd.log");
    }

    /** Restarts with a freshly generated host key. */
    public void rekey() throws IOException, InterruptedException {
        stop();
        SshKeys.generate(dir.resolve("ssh_host_ed25519_key"), "ed25519");
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        Path sshd = Tools.require(Path.of("/usr/sbin/sshd"), "sshd (Debian package openssh-server)");
        // sshd started as root refuses to run without its privilege separation directory, which only the service unit creates
        Path privsep = Path.of("/run/sshd");
        if (System.getProperty("user.name").equals("root") && !Files.isDirectory(privsep)) Files.createDirectories(privsep);
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, """
                ListenAddress %s:%d
                HostKey %s
                PidFile %s
                AuthorizedKeysFile %s
                AuthenticationMethods publickey
                PubkeyAuthentication yes
                PubkeyAcceptedAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                UsePAM no
                # the test files live under /tmp, which StrictModes rejects as world-writable
                StrictModes no
                AllowTcpForwarding %s
                AllowAgentForwarding no
                X11Forwarding no
                PermitTTY no
                PrintMotd no
                MaxStartups 50:30:100
                LogLevel VERBOSE
                """.formatted(address, port, dir.resolve("ssh_host_ed25519_key"), dir.resolve("sshd.pid"),
                dir.resolve("authorized_keys"), forwarding ? "yes" : "no"));
        // a fresh record per launch, so a restart never signals the previous (dead) group's pid again
        processes = new Processes("sshd-" + dir.getFileName() + "-" + System.nanoTime());
        process = processes.start(List.of(sshd.toString(), "-D", "-e", "-f", config.toString()), log());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepting()) {
            if (!process.isAlive()) throw new IOException("sshd on " + address + ":" + port + " exited: " + Files.readString(log()).strip());
            if (System.nanoTime() > deadline) throw new IOException("sshd on " + address + ":" + port + " did not listen within 20s (log " + log() + ")");
            Thread.sleep(20);
        }
    }

    private boolean accepting() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void stop() {
        if (processes != null) processes.stopAll();
        processes = null;
        process = null;
    }

    @Override
    public void close() {
        stop();
    }
}
