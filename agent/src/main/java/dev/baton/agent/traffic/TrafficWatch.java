package dev.baton.agent.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Proves that the app's port gets no more traffic, whatever load balancer sends it: samples the port's TCP
 * connections with iproute2's {@code ss} every 25 ms until nothing new happened for the quiet period.
 *
 * <p>Activity is a connection not seen in the previous sample or one whose {@code bytes_received} grew (a new
 * request on a kept-alive connection). All connected states are sampled, not only ESTAB: a short request on
 * its own connection lives a millisecond in ESTAB, but the server side then stays in TIME-WAIT for a minute,
 * where the next sample sees it. A connection the client opens and closes between two samples, before the
 * server closes it, is the one kind that can go unseen.
 */
public final class TrafficWatch implements AutoCloseable {

    public record Result(boolean quiet, long waitedMs, long quietForMs, int openConnections, int samples, int port) {
    }

    private static final long SAMPLE_INTERVAL_NANOS = Duration.ofMillis(25).toNanos();
    /** About 20k established or 100k TIME-WAIT sockets; beyond that the port is busy anyway. */
    static final int MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

    private final String address;
    private final int port;
    private final String program;
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "baton-traffic-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    public TrafficWatch(int port) {
        this(null, port, "ss");
    }

    public TrafficWatch(int port, String program) {
        this(null, port, program);
    }

    /**
     * {@code address} is the app's local address, or null to count every connection to the port;
     * {@code program} is the ss executable to run, a name looked up on PATH or a path.
     */
    public TrafficWatch(String address, int port, String program) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the app port must be between 1 and 65535, got " + port);
        }
        this.address = address;
        this.port = port;
        this.program = program;
    }

    /**
     * Blocks until no activity was seen for {@code quiet} (counted from the first sample) or {@code timeout} passed.
     * Connections whose peer address is in {@code ignored} do not count.
     *
     * @throws TrafficWatchException if ss is missing, fails or prints something unexpected
     */
    public Result awaitQuiet(Duration quiet, Duration timeout, Set<InetAddress> ignored)
            throws TrafficWatchException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Snapshot previous = null;
        long quietSince = start;
        long quietFor = 0;
        int samples = 0;
        while (true) {
            long sampledAt = System.nanoTime();
            Optional<Snapshot> sample = sample(ignored, deadline);
            if (sample.isEmpty()) {
                break;
            }
            samples++;
            Snapshot current = sample.get();
            if (previous == null || current.showsActivitySince(previous)) {
                // The activity may have happened until this sample ended; quiet is only proven from there on.
                quietSince = System.nanoTime();
                quietFor = 0;
            } else {
                quietFor = sampledAt - quietSince;
            }
            previous = current;
            if (quietFor >= quiet.toNanos()) {
                return result(true, start, quietFor, previous, samples);
            }
            long wakeAt = Math.min(sampledAt + SAMPLE_INTERVAL_NANOS, deadline);
            long sleep = wakeAt - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        return result(false, start, quietFor, previous, samples);
    }

    public int port() {
        return port;
    }

    /** Kills running samples, so no caller waits on ss after the agent stopped. */
    @Override
    public void close() {
        killer.shutdownNow().forEach(Runnable::run);
    }

    private Result result(boolean quiet, long start, long quietFor, Snapshot last, int samples) {
        return new Result(quiet, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                TimeUnit.NANOSECONDS.toMillis(quietFor), last == null ? 0 : last.established(), samples, port);
    }

    private String filter() {
        if (address == null) return "( sport = :" + port + " )";
        return "( src " + (address.contains(":") ? "[" + address + "]" : address) + ":" + port + " )";
    }

    /** One run of ss; empty if the deadline passed before it finished. */
    private Optional<Snapshot> sample(Set<InetAddress> ignored, long deadline)
            throws TrafficWatchException, InterruptedException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return Optional.empty();
        }
        Process process;
        try {
            process = new ProcessBuilder(program, "-Htin", "state", "connected", filter())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new TrafficWatchException("cannot run '" + program + "' to watch the app's connections;"
                    + " install the Debian package iproute2 (" + oneLine(String.valueOf(e.getMessage())) + ")");
        }
        ScheduledFuture<?> kill = null;
        // Set before the kill, so whatever the kill causes (exit 137, "Stream closed") reads as time up, not failure:
        // a kill that is under way still lets cancel() succeed.
        AtomicBoolean killed = new AtomicBoolean();
        try {
            // ss does not hang in practice, but the caller's timeout must hold even if it did.
            kill = killer.schedule(() -> {
                killed.set(true);
                process.destroyForcibly();
            }, remaining, TimeUnit.NANOSECONDS);
            process.getOutputStream().close();
            byte[] output;
            try (InputStream in = process.getInputStream()) {
                output = in.readNBytes(MAX_OUTPUT_BYTES + 1);
            }
            boolean truncated = output.length > MAX_OUTPUT_BYTES;
            if (truncated) {
                process.destroyForcibly();
            }
            int exit = process.waitFor();
            if (!kill.cancel(false) || killed.get()) {
                return Optional.empty();
            }
            String text = new String(output, 0, Math.min(output.length, MAX_OUTPUT_BYTES), StandardCharsets.ISO_8859_1);
            if (!truncated && exit != 0) {
                throw new TrafficWatchException(program + " failed with exit code " + exit + ": " + oneLine(text));
            }
            List<TcpConnection> connections = SsParser.parse(truncated ? text.substring(0, text.lastIndexOf('\n') + 1) : text);
            return Optional.of(Snapshot.of(connections, ignored, truncated));
        } catch (IOException e) {
            if (killed.get()) {
                return Optional.empty();
            }
            throw new TrafficWatchException("cannot read the output of " + program + ": " + oneLine(e.toString()));
        } catch (IllegalArgumentException e) {
            throw new TrafficWatchException("unexpected output from " + program + ": " + oneLine(e.getMessage()));
        } catch (RejectedExecutionException e) {
            throw new TrafficWatchException("the agent is shutting down");
        } finally {
            if (kill != null) {
                kill.cancel(false);
            }
            process.destroyForcibly();
        }
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.isEmpty() ? "(no output)" : line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
