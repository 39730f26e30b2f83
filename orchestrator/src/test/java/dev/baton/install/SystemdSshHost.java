package dev.baton.install;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A bare host with systemd, as {@code baton agent install} meets one: the Debian root with systemd, OpenSSH's server
 * and Java that bin/setup makes, booted with systemd-nspawn on a throw-away overlay (nothing it writes survives),
 * sharing this machine's network. Its sshd listens only on {@code address:2222} and lets in the given key as root.
 */
final class SystemdSshHost implements AutoCloseable {
    static final Path ROOT = Path.of(System.getenv().getOrDefault("BATON_SYSTEMD_SSH_ROOT",
            System.getProperty("user.home") + "/.cache/baton/systemd-sshd-root-bookworm"));
    static final int SSH_PORT = 2222;

    private final Process nspawn;
    private final String address;
    private final Path log;

    private SystemdSshHost(Process nspawn, String address, Path log) {
        this.nspawn = nspawn;
        this.address = address;
        this.log = log;
    }

    /** Fails, never skips, naming bin/setup when the root or a tool is missing. */
    static void requireTools() {
        for (String tool : List.of("/usr/bin/systemd-nspawn", "/usr/sbin/sshd")) {
            if (!Files.isExecutable(Path.of(tool))) throw new AssertionError(tool + " is missing: run bin/setup");
        }
        if (!Files.isExecutable(ROOT.resolve("lib/systemd/systemd")) || !Files.isExecutable(ROOT.resolve("usr/sbin/sshd"))
                || !Files.isExecutable(ROOT.resolve("usr/bin/java"))) {
            throw new AssertionError("no Debian root with systemd, sshd and Java at " + ROOT + ": run bin/setup");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("booting systemd with systemd-nspawn needs root: run this test as root");
        }
    }

    static SystemdSshHost boot(Path sandbox, String address, Path authorizedKey) throws IOException, InterruptedException {
        requireTools();
        Path sshdConfig = Files.writeString(sandbox.resolve("sshd-baton.conf"), """
                ListenAddress %s:%d
                AuthorizedKeysFile /etc/ssh/baton_authorized_keys
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                """.formatted(address, SSH_PORT));
        Path keys = Files.copy(authorizedKey, sandbox.resolve("authorized_keys"));
        Path log = sandbox.resolve("nspawn.log");
        Process nspawn = new ProcessBuilder("systemd-nspawn", "--quiet", "-D", ROOT.toString(), "--register=no", "--keep-unit",
                "--volatile=overlay", "--boot", "--machine=baton-" + UUID.randomUUID().toString().substring(0, 8),
                "--bind-ro=" + sshdConfig + ":/etc/ssh/sshd_config.d/baton.conf",
                "--bind-ro=" + keys + ":/etc/ssh/baton_authorized_keys")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(log.toFile()).start();
        SystemdSshHost host = new SystemdSshHost(nspawn, address, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!accepting(address)) {
            if (!nspawn.isAlive() || System.nanoTime() > deadline) {
                host.close();
                throw new IOException("the systemd host's sshd does not listen on " + address + ":" + SSH_PORT + ": " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return host;
    }

    String address() {
        return address;
    }

    /** known_hosts line for the root's ed25519 host key. */
    String knownHostsLine() throws IOException {
        String[] pub = Files.readString(ROOT.resolve("etc/ssh/ssh_host_ed25519_key.pub")).strip().split("\\s+");
        return "[" + address + "]:" + SSH_PORT + " " + pub[0] + " " + pub[1];
    }

    private static boolean accepting(String address) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, SSH_PORT), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM makes systemd-nspawn shut the container down; the overlay goes with it. */
    @Override
    public void close() throws InterruptedException {
        nspawn.destroy();
        if (!nspawn.waitFor(60, TimeUnit.SECONDS)) {
            nspawn.destroyForcibly();
            nspawn.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
