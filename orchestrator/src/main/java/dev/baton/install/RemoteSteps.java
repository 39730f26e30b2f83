package dev.baton.install;

import dev.baton.rollout.StepFailure;
import dev.baton.ssh.RemoteScript;
import dev.baton.ssh.SshSession;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;

/** The install's remote scripts run on a host (through sudo when asked); a failing one is a StepFailure with its reason. */
final class RemoteSteps {
    static final Duration QUICK = Duration.ofSeconds(60);
    private static final Duration COPY = Duration.ofMinutes(10);

    private final InstallSpec spec;
    private final Tarball tarball;

    RemoteSteps(InstallSpec spec, Tarball tarball) {
        this.spec = spec;
        this.tarball = tarball;
    }

    /** Streams the tarball to the host, which checks its sha256 and unpacks it into PREFIX/VERSION. */
    void copyDist(SshSession ssh) throws StepFailure, InterruptedException {
        RemoteScript copy = RemoteScript.of(InstallScripts.COPY_DIST).with("prefix", spec.prefix())
                .with("version", spec.version()).with("sha", tarball.sha256());
        try (InputStream in = Files.newInputStream(tarball.file())) {
            script(ssh, copy, in, COPY);
        } catch (IOException e) {
            throw new StepFailure("cannot read " + tarball.file() + ": " + e.getMessage());
        }
    }

    /** Writes {@code content} to {@code path}: it travels on stdin, never on a command line. */
    void write(SshSession ssh, String path, byte[] content, String mode, String owner) throws StepFailure, InterruptedException {
        script(ssh, RemoteScript.of(InstallScripts.WRITE_FILE).with("path", path).with("mode", mode).with("owner", owner),
                new ByteArrayInputStream(content), QUICK);
    }

    /** The script's standard output; stdin null for none. */
    String script(SshSession ssh, RemoteScript script, InputStream stdin, Duration limit) throws StepFailure, InterruptedException {
        SshSession.Result result = ssh.run(script, stdin == null ? InputStream.nullInputStream() : stdin, spec.sudo(), limit);
        if (!result.ok()) throw new StepFailure(describe(result));
        return result.stdout();
    }

    static String describe(SshSession.Result result) {
        if (result.timedOut()) return "timed out";
        String line = result.lastLine();
        return "exit " + result.exitCode() + (line.isEmpty() ? "" : ": " + line);
    }
}
