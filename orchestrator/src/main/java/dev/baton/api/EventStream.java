package dev.baton.api;

import dev.baton.server.Feed;
import dev.baton.server.RolloutService;
import io.javalin.http.Context;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /rollouts/{id}/events}: Server-Sent Events. Past events first, then the current status, then live items;
 * a keep-alive comment every 15 s; the stream ends after the final status. No thread waits per watcher: the request
 * goes asynchronous and two writer threads serve every watcher with non-blocking writes ({@link SseWatcher}), woken by
 * the rollout's publishing, so a slow watcher only ever waits for itself; events are encoded once for all of them.
 */
final class EventStream {
    /** How long a stopping server lets a stream send what it holds before ending it all the same. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
    /** Writes never block: a writer per core keeps up with hundreds of watchers. */
    private static final int WRITERS = 2;

    private final RolloutService rollouts;
    private final Duration keepAlive;
    private final int maxStreams;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<SseWatcher> watchers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService writer = Executors.newScheduledThreadPool(WRITERS, r -> {
        Thread thread = new Thread(r, "baton-sse");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closing;

    EventStream(RolloutService rollouts, Duration keepAlive, int maxStreams) {
        this.rollouts = rollouts;
        this.keepAlive = keepAlive;
        this.maxStreams = maxStreams;
        long tick = Math.max(50, Math.min(1000, keepAlive.toMillis() / 2));
        writer.scheduleWithFixedDelay(this::keepAlive, tick, tick, TimeUnit.MILLISECONDS);
    }

    void handle(Context ctx) {
        long after = after(ctx);
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            throw new ApiError(503, "too many event streams open (" + maxStreams + "); try again later");
        }
        Feed feed;
        try {
            feed = rollouts.follow(ctx.pathParam("id"), after);
        } catch (RuntimeException e) {
            open.decrementAndGet();
            throw e;
        }
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/event-stream;charset=utf-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        // Javalin starts the request asynchronous before it asks for the future: the writes can then be non-blocking
        ctx.future(() -> {
            AsyncContext async = ctx.req().getAsyncContext();
            async.setTimeout(0);
            SseWatcher watcher = new SseWatcher(feed, res, writer, this::ended);
            watchers.add(watcher);
            try {
                watcher.start(async);
            } catch (IOException | RuntimeException e) {
                watcher.end();
            }
            if (closing) watcher.end();
            return watcher.done();
        });
    }

    private void ended(SseWatcher watcher) {
        if (watchers.remove(watcher)) open.decrementAndGet();
    }

    /** Ends every stream within a moment (the server stops). */
    void close() {
        closing = true;
        for (SseWatcher watcher : watchers) watcher.end();
        writer.schedule(() -> {
            watchers.forEach(SseWatcher::abort);
            writer.shutdown();
        }, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void keepAlive() {
        long now = System.nanoTime();
        for (SseWatcher watcher : watchers) watcher.keepAliveIfQuietSince(now - keepAlive.toNanos());
    }

    /** {@code Last-Event-ID} (a reconnecting client) or {@code ?after=}; 0 means from the start. */
    private static long after(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        String raw = header != null && !header.isBlank() ? header : ctx.queryParam("after");
        if (raw == null || raw.isBlank()) return 0;
        try {
            long seq = Long.parseLong(raw.strip());
            if (seq < 0) throw new NumberFormatException();
            return seq;
        } catch (NumberFormatException e) {
            throw new ApiError(400, "after / Last-Event-ID must be an event seq (a number), not \""
                    + raw.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
        }
    }
}
