package dev.baton.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import dev.baton.rollout.StepFailure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** One authenticated connection to a host: runs {@link RemoteScript}s, each on its own exec channel. */
public final class SshSession implements AutoCloseable {
    /** What a remote command printed is kept up to this size (its end), for reports and errors. */
    static final int OUTPUT_LIMIT = 64 * 1024;
    private static final long POLL_MS = 10;

    /** How a remote command ended. {@code exitCode} is -1 when it timed out or the server sent no status. */
    public record Result(int exitCode, boolean timedOut, Duration took, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** The last line of stderr (or stdout), for one-line errors. */
        public String lastLine() {
            String text = stderr.isBlank() ? stdout : stderr;
            String[] lines = text.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }
    }

    private final Session session;
    private final SshSettings.Endpoint endpoint;

    SshSession(Session session, SshSettings.Endpoint endpoint) {
        this.session = session;
        this.endpoint = endpoint;
    }

    /** Runs the script with {@code sh -c}, at most {@code timeout}; the channel is closed before this returns. */
    public Result run(RemoteScript script, Duration timeout) throws StepFailure, InterruptedException {
        return exec(script.command(), timeout);
    }

    /**
     * As {@link #run(RemoteScript, Duration)}, with {@code stdin} as the script's standard input (a file to copy, a
     * secret that must not appear on the host's command lines); {@code sudo} runs it through {@code sudo -n}.
     */
    public Result run(RemoteScript script, InputStream stdin, boolean sudo, Duration timeout)
            throws StepFailure, InterruptedException {
        return exec((sudo ? "sudo -n " : "") + script.command(), stdin, timeout);
    }

    /**
     * Runs one command line, reading its output while it runs (a full window would stall it) and reading the exit
     * status only once the channel is closed: before that JSch reports -1 (the status may still be on its way).
     */
    public Result exec(String command, Duration timeout) throws StepFailure, InterruptedException {
        // an empty stdin that ends at once: a remote command reading stdin gets EOF instead of waiting out its bound
        return exec(command, new java.io.ByteArrayInputStream(new byte[0]), timeout);
    }

    private Result exec(String command, InputStream stdin, Duration timeout) throws StepFailure, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        ChannelExec channel;
        try {
            channel = (ChannelExec) session.openChannel("exec");
        } catch (JSchException e) {
            throw new StepFailure("ssh " + endpoint + ": cannot open a channel: " + e.getMessage());
        }
        Tail out = new Tail();
        Tail err = new Tail();
        try {
            channel.setCommand(command);
            channel.setInputStream(stdin);
            InputStream stdout = channel.getInputStream();
            InputStream stderr = channel.getErrStream();
            channel.connect((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            boolean timedOut = false;
            while (true) {
                boolean read = out.drain(stdout) | err.drain(stderr);
                if (channel.isClosed()) {
                    out.drain(stdout);
                    err.drain(stderr);
                    break;
                }
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    break;
                }
                if (!read) Thread.sleep(POLL_MS);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            int status = timedOut ? -1 : channel.getExitStatus();
            return new Result(status, timedOut, took, out.text(), err.text());
        } catch (IOException | JSchException e) {
            throw new StepFailure("ssh " + endpoint + ": command failed in transit: " + e.getMessage());
        } finally {
            channel.disconnect();
        }
    }

    @Override
    public void close() {
        session.disconnect();
    }

    /** The last {@link #OUTPUT_LIMIT} bytes of a stream. */
    private static final class Tail {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final byte[] buffer = new byte[8192];

        boolean drain(InputStream in) throws IOException {
            boolean any = false;
            while (in.available() > 0) {
                int n = in.read(buffer, 0, Math.min(buffer.length, in.available()));
                if (n <= 0) break;
                any = true;
                bytes.write(buffer, 0, n);
                if (bytes.size() > 2 * OUTPUT_LIMIT) {
                    byte[] all = bytes.toByteArray();
                    bytes.reset();
                    bytes.write(all, all.length - OUTPUT_LIMIT, OUTPUT_LIMIT);
                }
            }
            return any;
        }

        String text() {
            byte[] all = bytes.toByteArray();
            int from = Math.max(0, all.length - OUTPUT_LIMIT);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        }
    }
}
