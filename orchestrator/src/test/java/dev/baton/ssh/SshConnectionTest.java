package dev.baton.ssh;

import dev.baton.fleet.LocalSshd;
import dev.baton.fleet.SshKeys;
import dev.baton.rollout.StepFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Logging in to Debian's real sshd on loopback: keys, host key checking, jump host, bounded commands. */
class SshConnectionTest {
    private static final String USER = System.getProperty("user.name");
    private static Path dir;
    private static Path ed25519;
    private static Path rsa;
    private static Path stranger;
    private static LocalSshd target;
    private static LocalSshd jump;
    private static String network;

    @BeforeAll
    static void startServers() throws Exception {
        dir = Files.createTempDirectory("baton-ssh-test-");
        ed25519 = SshKeys.generate(dir.resolve("id_ed25519"), "ed25519");
        rsa = SshKeys.generate(dir.resolve("id_rsa"), "rsa");
        stranger = SshKeys.generate(dir.resolve("id_stranger"), "ed25519");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        network = "127." + random.nextInt(200, 250) + "." + random.nextInt(1, 255) + ".";
        List<Path> authorized = List.of(Path.of(ed25519 + ".pub"), Path.of(rsa + ".pub"));
        target = LocalSshd.start(dir.resolve("target"), network + "1", 2222, false, authorized);
        jump = LocalSshd.start(dir.resolve("jump"), network + "9", 2222, true, authorized);
    }

    @AfterAll
    static void stopServers() {
        if (target != null) target.close();
        if (jump != null) jump.close();
    }

    private static Path knownHosts(String name, LocalSshd... servers) throws Exception {
        Path file = dir.resolve(name);
        StringBuilder lines = new StringBuilder();
        for (LocalSshd server : servers) lines.append(server.knownHostsLine()).append('\n');
        Files.writeString(file, lines);
        return file;
    }

    private static SshSettings settings(Path key, Path knownHosts, boolean acceptNew, SshSettings.Endpoint through) {
        return new SshSettings(USER, 2222, key, knownHosts, acceptNew, through, Duration.ofSeconds(5));
    }

    private static String whoami(SshSettings settings, String host) throws Exception {
        try (SshSession ssh = new SshConnector(settings).open(host)) {
            SshSession.Result result = ssh.exec("id -un", Duration.ofSeconds(10));
            assertThat(result.exitCode()).as(result.stderr()).isZero();
            return result.stdout().strip();
        }
    }

    @Test
    void logsInWithAnEd25519Key() throws Exception {
        assertThat(whoami(settings(ed25519, knownHosts("kh-ed", target), false, null), target.address())).isEqualTo(USER);
        assertThat(Files.readString(target.log())).contains("Accepted publickey for " + USER).contains("ED25519 " + SshKeys.fingerprint(Path.of(ed25519 + ".pub")));
    }

    @Test
    void logsInWithAnRsaKeySignedWithSha2() throws Exception {
        // sshd accepts only ssh-ed25519 and rsa-sha2-512/256 here: SHA-1 ssh-rsa signatures would be refused
        assertThat(whoami(settings(rsa, knownHosts("kh-rsa", target), false, null), target.address())).isEqualTo(USER);
        assertThat(Files.readString(target.log())).contains("RSA " + SshKeys.fingerprint(Path.of(rsa + ".pub")));
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefused() throws Exception {
        assertThatThrownBy(() -> whoami(settings(stranger, knownHosts("kh-stranger", target), false, null), target.address()))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("refused the key " + stranger)
                .hasMessageContaining(USER + "@" + target.address() + ":2222");
    }

    @Test
    void anUnknownHostKeyIsRefusedAndNotRecorded() throws Exception {
        Path empty = dir.resolve("kh-empty");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> whoami(settings(ed25519, empty, false, null), target.address()))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("ssh " + target.knownHostsName() + ": unknown host key")
                .hasMessageContaining(target.hostKeyFingerprint())
                .hasMessageContaining("ssh.unknownHosts: accept-new");
        assertThat(Files.readString(empty)).isEmpty();
    }

    @Test
    void acceptNewRecordsAnUnknownHostKeyThenChecksIt() throws Exception {
        Path file = dir.resolve("kh-accept-new");
        Files.writeString(file, "# operator's file\n");
        assertThat(whoami(settings(ed25519, file, true, null), target.address())).isEqualTo(USER);
        assertThat(Files.readAllLines(file)).containsExactly("# operator's file", target.knownHostsLine());
        // recorded: now known even without accept-new, and not appended twice
        assertThat(whoami(settings(ed25519, file, false, null), target.address())).isEqualTo(USER);
        assertThat(whoami(settings(ed25519, file, true, null), target.address())).isEqualTo(USER);
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void aChangedHostKeyIsRefusedEvenWithAcceptNewNamingBothFingerprints() throws Exception {
        Path dirOfOther = dir.resolve("rekeyed");
        LocalSshd other = LocalSshd.start(dirOfOther, network + "2", 2222, false, List.of(Path.of(ed25519 + ".pub")));
        try {
            Path file = knownHosts("kh-changed", other);
            String before = Files.readString(file);
            String oldFingerprint = other.hostKeyFingerprint();
            other.rekey();
            String newFingerprint = other.hostKeyFingerprint();
            assertThat(newFingerprint).isNotEqualTo(oldFingerprint);
            for (boolean acceptNew : new boolean[]{false, true}) {
                assertThatThrownBy(() -> whoami(settings(ed25519, file, acceptNew, null), other.address()))
                        .isInstanceOf(StepFailure.class)
                        .hasMessageContaining("ssh " + other.knownHostsName() + ": HOST KEY CHANGED")
                        .hasMessageContaining("has ssh-ed25519 " + oldFingerprint)
                        .hasMessageContaining("offered ssh-ed25519 " + newFingerprint);
            }
            assertThat(Files.readString(file)).isEqualTo(before);
        } finally {
            other.close();
        }
    }

    @Test
    void connectsThroughAJumpHost() throws Exception {
        Path file = knownHosts("kh-jump", target, jump);
        SshSettings.Endpoint through = new SshSettings.Endpoint(jump.address(), jump.port(), USER);
        assertThat(whoami(settings(ed25519, file, false, through), target.address())).isEqualTo(USER);
        assertThat(Files.readString(jump.log())).contains("Accepted publickey for " + USER);
        // the target's sshd forwards nothing: used as a jump host it fails, so the success above went through the jump host
        SshSettings.Endpoint noForwarding = new SshSettings.Endpoint(target.address(), target.port(), USER);
        assertThatThrownBy(() -> whoami(settings(ed25519, file, false, noForwarding), jump.address()))
                .isInstanceOf(StepFailure.class);
    }

    @Test
    void theJumpHostsKeyIsCheckedToo() throws Exception {
        Path file = knownHosts("kh-jump-unknown", target);
        SshSettings.Endpoint through = new SshSettings.Endpoint(jump.address(), jump.port(), USER);
        assertThatThrownBy(() -> whoami(settings(ed25519, file, false, through), target.address()))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("ssh " + jump.knownHostsName() + ": unknown host key");
    }

    @Test
    void aCommandIsBoundedAndItsExitStatusComesAfterTheChannelClosed() throws Exception {
        try (SshSession ssh = new SshConnector(settings(ed25519, knownHosts("kh-exec", target), false, null)).open(target.address())) {
            SshSession.Result slow = ssh.exec("sleep 30", Duration.ofMillis(500));
            assertThat(slow.timedOut()).isTrue();
            assertThat(slow.took()).isLessThan(Duration.ofSeconds(5));
            SshSession.Result reader = ssh.exec("cat; echo read-all", Duration.ofSeconds(10));
            assertThat(reader.stdout()).isEqualTo("read-all\n");
            assertThat(reader.took()).isLessThan(Duration.ofSeconds(5));
            SshSession.Result failed = ssh.exec("echo out; echo err >&2; exit 7", Duration.ofSeconds(10));
            assertThat(failed.exitCode()).isEqualTo(7);
            assertThat(failed.stdout()).isEqualTo("out\n");
            assertThat(failed.lastLine()).isEqualTo("err");
        }
    }

    @Test
    void hostileValuesReachTheRemoteShellAsData() throws Exception {
        Path marker = Path.of("/tmp/pwned");
        Files.deleteIfExists(marker);
        String hostile = "1.0'; touch /tmp/pwned; echo '";
        try (SshSession ssh = new SshConnector(settings(ed25519, knownHosts("kh-hostile", target), false, null)).open(target.address())) {
            for (String value : List.of(hostile, "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "a\n touch /tmp/pwned\n", "'\"'\"'")) {
                SshSession.Result result = ssh.run(RemoteScript.of("printf '%s' \"$v\"").with("v", value).export("E", value), Duration.ofSeconds(10));
                assertThat(result.stdout()).isEqualTo(value);
            }
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void aPrivateKeyOthersCanReadIsRefusedBeforeConnecting() throws Exception {
        Path key = dir.resolve("id_loose");
        Files.copy(ed25519, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> whoami(settings(key, knownHosts("kh-loose", target), false, null), target.address()))
                .isInstanceOf(StepFailure.class)
                .hasMessage("ssh: the private key " + key + " is accessible by others (rw-r--r--): chmod 600 " + key);
    }

    @Test
    void aKeyWithAPassphraseIsRefusedWithAReason() throws Exception {
        Path key = dir.resolve("id_passphrase");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "secret phrase", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> whoami(settings(key, knownHosts("kh-passphrase", target), false, null), target.address()))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("is protected by a passphrase");
    }

    @Test
    void hashedKnownHostsEntriesAreHonoured() throws Exception {
        Path file = knownHosts("kh-hashed", target);
        Process hash = new ProcessBuilder("ssh-keygen", "-H", "-f", file.toString()).redirectErrorStream(true).start();
        assertThat(hash.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(file)).startsWith("|1|").doesNotContain(target.address());
        assertThat(whoami(settings(ed25519, file, false, null), target.address())).isEqualTo(USER);
    }
}
