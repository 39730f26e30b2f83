package dev.baton.agent.hook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Drains a process's output on its own thread, keeping only the last {@code limit} bytes. */
final class OutputTail {

    static final String TRUNCATED = "[\u2026truncated]\n";

    private final byte[] ring;
    private final Thread reader;
    private long total;

    private OutputTail(int limit, InputStream in) {
        this.ring = new byte[limit];
        this.reader = new Thread(() -> drain(in), "baton-hook-output");
        reader.setDaemon(true);
    }

    static OutputTail start(InputStream in, int limit) {
        OutputTail tail = new OutputTail(limit, in);
        tail.reader.start();
        return tail;
    }

    /**
     * Waits for the end of the output. A background process the command left behind may hold the pipe open for
     * long; then the answer goes out without waiting, and the reader keeps draining until that process lets go.
     */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        reader.join(Math.max(1, timeout.toMillis()));
        return !reader.isAlive();
    }

    /** The kept output as text, starting with {@link #TRUNCATED} if earlier bytes were dropped. */
    synchronized String text() {
        int limit = ring.length;
        if (total <= limit) {
            return new String(ring, 0, (int) total, StandardCharsets.UTF_8);
        }
        byte[] tail = new byte[limit];
        int next = (int) (total % limit);
        System.arraycopy(ring, next, tail, 0, limit - next);
        System.arraycopy(ring, 0, tail, limit - next, next);
        // The cut may fall inside a UTF-8 sequence: skip its continuation bytes rather than show a broken character.
        int start = 0;
        while (start < 3 && start < limit && (tail[start] & 0xC0) == 0x80) {
            start++;
        }
        return TRUNCATED + new String(tail, start, limit - start, StandardCharsets.UTF_8);
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        int limit = ring.length;
        if (length > limit) {
            offset += length - limit;
            total += length - limit;
            length = limit;
        }
        while (length > 0) {
            int at = (int) (total % limit);
            int n = Math.min(length, limit - at);
            System.arraycopy(bytes, offset, ring, at, n);
            offset += n;
            length -= n;
            total += n;
        }
    }

    private void drain(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                append(buffer, 0, n);
            }
        } catch (IOException e) {
            // The pipe broke; what was read so far is the output.
        }
    }
}
