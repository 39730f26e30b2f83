package dev.baton.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many SSE watchers of one rollout's event stream, read by a few threads with a selector each. They stand in for
 * dashboards on other machines: a thread per stream would spend this machine's two cores on waking hundreds of readers,
 * CPU a real watcher never takes from the server. Each stream is a plain HTTP/1.0 request (so its body is the stream itself, not
 * chunked, and ends when the server closes it); of each line only the head is kept, enough to find an event's
 * {@code at}. An event counts when it happened after the server answered its stream (what came before is history,
 * sent to a new watcher in one piece): its delivery latency is from its {@code at} to when its line was read. How long
 * the server took to answer each stream is measured apart.
 */
final class SseWatchers implements AutoCloseable {
    private static final byte[] DATA = "data: {\"seq\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AT = "\"at\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final int HEAD = 96;
    private static final int READERS = 4;

    private final List<Selector> selectors = new ArrayList<>();
    private final List<Stream> streams = new ArrayList<>();
    private final List<Long> latenciesMs = new ArrayList<>();
    private final List<Long> answeredMs = new ArrayList<>();
    private final Map<String, Long> parsedAt = new HashMap<>();
    private final CountDownLatch ended;
    private final List<Thread> readers = new ArrayList<>();
    private volatile String refused;

    /** Opens {@code count} streams of rollout {@code id} on the server at {@code base} ("http://host:port"). */
    SseWatchers(String base, String token, String id, int count) throws IOException {
        URI uri = URI.create(base);
        InetSocketAddress server = new InetSocketAddress(uri.getHost(), uri.getPort());
        byte[] request = ("GET /api/v1/rollouts/" + id + "/events HTTP/1.0\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAuthorization: Bearer " + token + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ended = new CountDownLatch(count);
        for (int r = 0; r < Math.min(READERS, count); r++) {
            Selector selector = Selector.open();
            selectors.add(selector);
            Thread reader = new Thread(() -> readAll(selector), "sse-watchers");
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
        }
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open(server);
            Stream stream = new Stream(channel, System.currentTimeMillis());
            channel.write(ByteBuffer.wrap(request));
            channel.configureBlocking(false);
            Selector selector = selectors.get(i % selectors.size());
            channel.register(selector, SelectionKey.OP_READ, stream);
            selector.wakeup();
            streams.add(stream);
        }
    }

    /** Whether every stream ended (the server closed it after the rollout's end) within {@code timeout}. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The delivery latencies so far, in ms, one per event per stream. */
    List<Long> latenciesMs() {
        synchronized (latenciesMs) {
            return new ArrayList<>(latenciesMs);
        }
    }

    /** How long the server took to answer each stream answered so far (request sent to the end of its response head), in ms. */
    List<Long> answeredMs() {
        synchronized (latenciesMs) {
            return new ArrayList<>(answeredMs);
        }
    }

    /** Why a stream was refused (its status line), or null when none was. */
    String refused() {
        return refused;
    }

    @Override
    public void close() throws IOException {
        for (Thread reader : readers) reader.interrupt();
        for (Selector selector : selectors) selector.close();
        for (Stream stream : streams) stream.channel.close();
    }

    private void readAll(Selector selector) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        byte[] bytes = new byte[buffer.capacity()];
        try {
            while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    Stream stream = (Stream) key.attachment();
                    buffer.clear();
                    int n;
                    try {
                        n = stream.channel.read(buffer);
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        key.cancel();
                        stream.channel.close();
                        ended.countDown();
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    buffer.flip();
                    buffer.get(bytes, 0, n);
                    stream.take(bytes, n, now);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed
        }
    }

    private long at(String text) {
        synchronized (parsedAt) {
            return parsedAt.computeIfAbsent(text, t -> Instant.parse(t).toEpochMilli());
        }
    }

    /** One stream: its response head first, then the body's lines, of which only the first bytes are kept. */
    private final class Stream {
        final SocketChannel channel;
        final long requestedMs;
        long answeredAt = Long.MAX_VALUE;
        final byte[] line = new byte[HEAD];
        int length;
        boolean inBody;
        boolean statusChecked;

        Stream(SocketChannel channel, long requestedMs) {
            this.channel = channel;
            this.requestedMs = requestedMs;
        }

        void take(byte[] bytes, int n, long now) {
            for (int i = 0; i < n; ) {
                int end = i;
                while (end < n && bytes[end] != '\n') end++;
                int kept = Math.min(end - i, HEAD - length);
                System.arraycopy(bytes, i, line, length, kept);
                length += kept;
                if (end == n) return;
                if (!inBody) head(now);
                else if (startsWith(DATA)) event(now);
                length = 0;
                i = end + 1;
            }
        }

        private void head(long now) {
            if (!statusChecked) {
                statusChecked = true;
                String status = new String(line, 0, length, StandardCharsets.US_ASCII).strip();
                if (!status.matches("HTTP/1\\.[01] 200.*")) refused = status;
            }
            if (length == 0 || (length == 1 && line[0] == '\r')) {
                inBody = true;
                answeredAt = now;
                synchronized (latenciesMs) {
                    answeredMs.add(now - requestedMs);
                }
            }
        }

        private void event(long now) {
            int from = indexOf(AT);
            if (from < 0) return;
            from += AT.length;
            int to = from;
            while (to < length && line[to] != '"') to++;
            if (to == length) return;
            long at = at(new String(line, from, to - from, StandardCharsets.US_ASCII));
            if (at > answeredAt) {
                synchronized (latenciesMs) {
                    latenciesMs.add(now - at);
                }
            }
        }

        private boolean startsWith(byte[] prefix) {
            if (length < prefix.length) return false;
            for (int i = 0; i < prefix.length; i++) if (line[i] != prefix[i]) return false;
            return true;
        }

        private int indexOf(byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= length; i++) {
                for (int j = 0; j < needle.length; j++) if (line[i + j] != needle[j]) continue outer;
                return i;
            }
            return -1;
        }
    }
}
