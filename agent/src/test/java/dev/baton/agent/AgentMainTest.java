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
