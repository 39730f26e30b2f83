package dev.baton.api;

import dev.baton.server.Feed;
import dev.baton.server.StreamItem;
import dev.baton.store.Json;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One watcher's event stream, written without blocking: its feed signals that items came, a writer thread
 * (or Jetty, once a write that could not finish at once is done) sends what is there in one write and one flush, and
 * stops whenever the connection cannot take more; what it could not take waits in the shared log, not in a copy. A
 * burst of signals while a write is scheduled costs one write. The stream ends after its feed's end, or when the
 * connection fails; then {@link #done} completes and the request with it.
 */
final class SseWatcher implements WriteListener, AsyncListener {
    /** The most sent in one write: a new watcher's history goes out in pieces of about this size. */
    private static final int CHUNK_BYTES = 16 * 1024;
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final Feed feed;
    private final HttpServletResponse response;
    private final Executor writer;
    private final Consumer<SseWatcher> onEnd;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** A write is scheduled on the writer thread and has not started yet: more signals need no other. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private ServletOutputStream out;
    // guarded by this
    private boolean flushPending;
    private boolean ending;
    private boolean ended;
    private boolean keepAliveDue;
    private volatile long lastSentNanos = System.nanoTime();

    SseWatcher(Feed feed, HttpServletResponse response, Executor writer, Consumer<SseWatcher> onEnd) {
        this.feed = feed;
        this.response = response;
        this.writer = writer;
        this.onEnd = onEnd;
    }

    /** Completes once the stream ended, however it ended. */
    CompletableFuture<Void> done() {
        return done;
    }

    /** On the request's asynchronous context: from now on Jetty calls back when the connection can take more. */
    void start(AsyncContext async) throws IOException {
        async.addListener(this);
        out = response.getOutputStream();
        synchronized (this) {
            out.setWriteListener(this);
        }
        feed.whenReady(this::schedule);
    }

    /** Sends what is there, then ends (the server stops). */
    void end() {
        synchronized (this) {
            ending = true;
        }
        schedule();
    }

    /** Ends now, whatever is left unsent. */
    void abort() {
        finish();
    }

    void keepAliveIfQuietSince(long nanos) {
        if (lastSentNanos - nanos > 0) return;
        synchronized (this) {
            keepAliveDue = true;
        }
        schedule();
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) return;
        try {
            writer.execute(() -> {
                scheduled.set(false);
                send();
            });
        } catch (RejectedExecutionException stopped) {
            finish();
        }
    }

    @Override
    public void onWritePossible() {
        send();
    }

    @Override
    public void onError(Throwable failure) {
        finish();
    }

    private void send() {
        boolean finished;
        try {
            finished = sendWhileReady();
        } catch (IOException | RuntimeException gone) {
            finished = true; // the watcher went away (or the response was completed under it)
        }
        if (finished) finish();
    }

    /** Writes and flushes while the connection takes it; true once everything up to the end was sent. */
    private synchronized boolean sendWhileReady() throws IOException {
        if (ended || out == null) return false;
        while (out.isReady()) {
            if (flushPending) {
                flushPending = false;
                out.flush();
                lastSentNanos = System.nanoTime();
                continue;
            }
            byte[] chunk = ending ? null : nextChunk();
            if (chunk == null) return ending;
            out.write(chunk);
            flushPending = true;
        }
        return false;
    }

    /** What is there, encoded (or a keep-alive comment if nothing is and one is due); null if nothing. */
    private byte[] nextChunk() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        int size = 0;
        StreamItem item;
        while (size < CHUNK_BYTES && (item = feed.poll()) != null) {
            byte[] frame;
            if (item instanceof StreamItem.EventItem e) {
                frame = e.frame();
            } else if (item instanceof StreamItem.StatusItem s) {
                frame = ("event: status\ndata: " + Json.MAPPER.writeValueAsString(new ApiViews.StatusChange(s.status())) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8);
            } else {
                ending = true;
                break;
            }
            frames.add(frame);
            size += frame.length;
        }
        if (frames.isEmpty() && keepAliveDue) frames.add(KEEP_ALIVE);
        keepAliveDue = false;
        if (frames.size() <= 1) return frames.isEmpty() ? null : frames.get(0);
        ByteBuffer chunk = ByteBuffer.allocate(size);
        for (byte[] frame : frames) chunk.put(frame);
        return chunk.array();
    }

    private void finish() {
        synchronized (this) {
            if (ended) return;
            ended = true;
        }
        feed.close();
        onEnd.accept(this);
        done.complete(null);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        finish();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        finish();
    }

    @Override
    public void onError(AsyncEvent event) {
        finish();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
}
