package dev.baton.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test keys made with Debian's {@code ssh-keygen}: client keys, host keys, their SHA256 fingerprints. */
public final class SshKeys {
    private SshKeys() {
    }

    /** A new unencrypted key pair ({@code ed25519} or {@code rsa}, 3072 bits) at {@code file} and {@code file.pub}. */
    public static Path generate(Path file, String type) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + ".pub"));
        List<String> command = type.equals("rsa")
                ? List.of(keygen(), "-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "baton-test", "-f", file.toString())
                : List.of(keygen(), "-q", "-t", type, "-N", "", "-C", "baton-test", "-f", file.toString());
        run(command);
        return file;
    }

    /** {@code SHA256:...} of a public key file, as ssh-keygen -l prints it. */
    public static String fingerprint(Path publicKey) throws IOException, InterruptedException {
        String line = run(List.of(keygen(), "-l", "-E", "sha256", "-f", publicKey.toString()));
        return line.split("\\s+")[1];
    }

    private static String keygen() {
        return Tools.require(Path.of("/usr/bin/ssh-keygen"), "ssh-keygen (Debian package openssh-client)").toString();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
        return output;
    }
}
