package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {

    @TempDir
    Path temp;

    @Test
    void userErrorsPrintOneLineAndExitWithTwo() throws IOException {
        Path token = Files.writeString(temp.resolve("token"), "  secret-token \n");
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String home = temp.resolve("home").toString();
        String[] common = {"--home", home, "--app-command", "demo-app", "--ready-url", "http://127.0.0.1:1/healthz"};

        assertUsageError(new String[] {"--bogus"}, "");
        assertUsageError(concat(new String[] {"--listen", "127.0.0.1:0", "--token-file", temp.resolve("nope").toString()}, common),
                "token file");
        assertUsageError(concat(new String[] {"--listen", "no-port", "--token-file", token.toString()}, common), "--listen");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String output = assertUsageError(concat(new String[] {"--listen", "127.0.0.1:" + taken.getLocalPort(),
                    "--token-file", token.toString()}, common), "cannot listen");
            assertThat(output).doesNotContain("secret-token");
        }
    }

    @Test
    void refusesTokenFilesOthersCouldReadAndUnsafeHookSettings() throws IOException {
        Path token = Files.writeString(temp.resolve("token"), "secret-token\n");
        String home = temp.resolve("home").toString();
        String[] common = {"--listen", "127.0.0.1:0", "--home", home, "--app-command", "demo-app",
                "--ready-url", "http://127.0.0.1:1/healthz"};

        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertUsageError(concat(common, new String[] {"--token-file", token.toString()}),
                "must be readable by its owner only (chmod 600), it is rw-r--r--");

        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setOwner(token, token.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertUsageError(concat(common, new String[] {"--token-file", token.toString()}),
                "must be owned by the agent's user " + System.getProperty("user.name") + ", not nobody");

        Path ownToken = Files.writeString(temp.resolve("own-token"), "secret-token\n");
        Files.setPosixFilePermissions(ownToken, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String[] withToken = concat(common, new String[] {"--token-file", ownToken.toString()});
        assertUsageError(concat(withToken, new String[] {"--hook-user", "nobody"}), "--hook-user needs --allow-hooks");
        assertUsageError(concat(withToken, new String[] {"--allow-hooks", "--hook-user", "no-such-user-x"}),
                "hook user 'no-such-user-x' does not exist");
        assertUsageError(concat(withToken, new String[] {"--allow-hooks", "--hook-user", "root"}),
                "hook user 'root' is root; name an unprivileged user");
        assertUsageError(concat(withToken, new String[] {"--keep-releases", "1"}), "--keep-releases must be between 2");
        assertThat(temp.resolve("home/releases")).doesNotExist();
    }

    @Test
    void badProcessControlSettingsAreOneLineErrorsNamingTheFlag() throws IOException {
        Path token = Files.writeString(temp.resolve("token"), "secret-token\n");
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String[] common = {"--listen", "127.0.0.1:0", "--home", temp.resolve("home").toString(), "--token-file",
                token.toString(), "--ready-url", "http://127.0.0.1:1/healthz"};

        assertUsageError(common, "--process process needs --app-command");
        assertUsageError(concat(common, new String[] {"--process", "docker"}), "--process must be process, systemd or command, got 'docker'");
        assertUsageError(concat(common, new String[] {"--process", "systemd"}), "--process systemd needs --unit NAME");
        assertUsageError(concat(common, new String[] {"--process", "systemd", "--unit", "-H evil"}), "--unit must be a systemd unit name");
        assertUsageError(concat(common, new String[] {"--process", "command", "--start-command", "sv up /s",
                "--status-command", "sv status /s"}), "--process command needs --stop-command");
        assertUsageError(concat(common, new String[] {"--process", "command", "--stop-command", "sv down /s",
                "--status-command", "sv status /s"}), "--process command needs --start-command");
        assertUsageError(concat(common, new String[] {"--process", "command", "--stop-command", "sv down /s",
                "--start-command", "sv up /s"}), "--process command needs --status-command");
        assertUsageError(concat(common, new String[] {"--process", "command", "--stop-command", "sv \"down /s",
                "--start-command", "sv up /s", "--status-command", "sv status /s"}), "--stop-command: unterminated double quote");
        assertUsageError(concat(common, new String[] {"--process", "command", "--stop-command", " ",
                "--start-command", "sv up /s", "--status-command", "sv status /s"}), "--stop-command is empty");
        assertUsageError(concat(common, new String[] {"--app-command", "demo-app", "--unit", "app.service"}),
                "--unit needs --process systemd");
        assertUsageError(concat(common, new String[] {"--app-command", "demo-app", "--stop-command", "sv down /s"}),
                "need --process command");
        assertUsageError(concat(common, new String[] {"--process", "systemd", "--unit", "app.service", "--app-command",
                "demo-app"}), "--app-command needs --process process");
        assertUsageError(concat(common, new String[] {"--app-command", " "}), "--process process needs --app-command");
        assertUsageError(concat(common, new String[] {"--app-command", "demo-app", "--handoff-signal", "TERM"}),
                "--handoff-signal must be USR2 or HUP, got 'TERM'");
        assertThat(temp.resolve("home/releases")).doesNotExist();
    }

    private static String assertUsageError(String[] args, String expected) {
        StringWriter err = new StringWriter();
        int code = AgentMain.run(args, new PrintWriter(err, true));
        String output = err.toString();
        assertThat(code).as(output).isEqualTo(2);
        assertThat(output.strip().lines()).as(output).hasSize(1);
        assertThat(output).contains(expected).doesNotContain("Exception");
        return output;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
