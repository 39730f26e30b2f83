package dev.baton.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A counting relay between Baton and Consul: Baton is given its address as Consul's, and every request is counted
 * outside Baton. It reads only each request's head (to count it and find where its body ends) and copies every byte
 * unchanged both ways, so it adds next to no latency: the figures are Baton's, not a proxy's. Blocking queries (an
 * {@code index} parameter) are counted apart from the other calls, and KV writes ({@code PUT /v1/kv/...},
 * {@code PUT /v1/txn}) on their own as well.
 */
final class ConsulCallCounter implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress consul;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "consul-counter");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong blocking = new AtomicLong();
    private final AtomicLong kvWrites = new AtomicLong();
    private final Map<String, LongAdder> byPath = new ConcurrentHashMap<>();

    /** Listens on {@code ip} (a free port), passing every request on to {@code consul} ("http://host:port"). */
    ConsulCallCounter(String ip, String consul) throws IOException {
        URI uri = URI.create(consul);
        this.consul = new InetSocketAddress(uri.getHost(), uri.getPort());
        listener = new ServerSocket(0, 256, InetAddress.getByName(ip));
        threads.execute(this::accept);
    }

    String url() {
        return "http://" + listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    /** The counts so far: calls (without blocking queries), blocking queries, KV writes. */
    record Counts(long calls, long blocking, long kvWrites) {
        Counts minus(Counts earlier) {
            return new Counts(calls - earlier.calls, blocking - earlier.blocking, kvWrites - earlier.kvWrites);
        }
    }

    Counts counts() {
        return new Counts(calls.get(), blocking.get(), kvWrites.get());
    }

    /** The most called paths (ids folded), for the report: "GET /v1/agent/checks=400, ...". */
    String topPaths(int n) {
        return byPath.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum())).limit(n)
                .map(e -> e.getKey() + "=" + e.getValue().sum()).reduce((a, b) -> a + ", " + b).orElse("none");
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One connection: requests counted on their way in, answers copied back as they come. */
    private void relay(Socket client) {
        try (client; Socket upstream = new Socket()) {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(consul, 3000);
            threads.execute(() -> copy(upstream, client));
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = upstream.getOutputStream();
            while (true) {
                byte[] head = head(in);
                if (head == null) return;
                String text = new String(head, StandardCharsets.ISO_8859_1);
                count(text.substring(0, Math.max(0, text.indexOf("\r\n"))));
                out.write(head);
                String headers = text.toLowerCase(Locale.ROOT);
                if (headers.contains("\r\ntransfer-encoding: chunked")) copyChunked(in, out);
                else copyExactly(in, out, contentLength(headers));
                out.flush();
            }
        } catch (IOException e) {
            // either side closed: the other one is closed with it
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // closed
        } finally {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** The request line and headers up to and with the blank line; null at the end of the stream. */
    private static byte[] head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int lastFour = 0;
        while (lastFour != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) return null;
                throw new IOException("the stream ended inside a request head");
            }
            head.write(b);
            lastFour = (lastFour << 8) | b;
            if (head.size() > MAX_HEAD) throw new IOException("request head over " + MAX_HEAD + " bytes");
        }
        return head.toByteArray();
    }

    private static long contentLength(String headers) {
        int at = headers.indexOf("\r\ncontent-length:");
        if (at < 0) return 0;
        int end = headers.indexOf("\r\n", at + 2);
        return Long.parseLong(headers.substring(at + "\r\ncontent-length:".length(), end).strip());
    }

    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        for (long left = length; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) throw new IOException("the stream ended inside a request body");
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = line(in);
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                for (String trailer = line(in); ; trailer = line(in)) {
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    if (trailer.isEmpty()) return;
                }
            }
            copyExactly(in, out, size + 2);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("the stream ended inside a chunked body");
            if (b != '\r') line.append((char) b);
        }
        return line.toString();
    }

    private void count(String requestLine) {
        String[] parts = requestLine.split(" ");
        if (parts.length < 2) return;
        String method = parts[0];
        int q = parts[1].indexOf('?');
        String path = q < 0 ? parts[1] : parts[1].substring(0, q);
        String query = q < 0 ? "" : parts[1].substring(q + 1);
        boolean isBlocking = method.equals("GET") && query.matches("(^|.*&)index=[1-9].*");
        if (isBlocking) blocking.incrementAndGet();
        else calls.incrementAndGet();
        if (method.equals("PUT") && (path.startsWith("/v1/kv/") || path.equals("/v1/txn"))) kvWrites.incrementAndGet();
        String folded = path.replaceAll("(/v1/(?:agent/service|agent/service/maintenance|agent/service/deregister|health/service|agent/check/deregister)/)[^/]+", "$1*")
                .replaceAll("(/v1/kv/baton/rollouts/)[^/]+/(\\w+).*", "$1*/$2");
        byPath.computeIfAbsent(method + " " + folded + (isBlocking ? " (blocking)" : ""), k -> new LongAdder()).increment();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
