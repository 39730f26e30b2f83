package dev.baton.api;

import dev.baton.server.Feed;
import dev.baton.server.RolloutService;
import dev.baton.server.StreamItem;
import dev.baton.store.Json;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /rollouts/{id}/events}: Server-Sent Events on the request's own thread. Past events first, then the
 * current status, then live items; a keep-alive comment every 15 s; the stream ends after the final status.
 * Each watcher writes from its own thread and its own place in the rollout's shared log, so a slow one only ever
 * waits for itself; events are encoded once for all of them.
 */
final class EventStream {
    private static final Duration SLICE = Duration.ofMillis(500);

    private final RolloutService rollouts;
    private final Duration keepAlive;
    private final int maxStreams;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closing;

    EventStream(RolloutService rollouts, Duration keepAlive, int maxStreams) {
        this.rollouts = rollouts;
        this.keepAlive = keepAlive;
        this.maxStreams = maxStreams;
    }

    void handle(Context ctx) {
        long after = after(ctx);
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            throw new ApiError(503, "too many event streams open (" + maxStreams + "); try again later");
        }
        try (Feed feed = rollouts.follow(ctx.pathParam("id"), after)) {
            HttpServletResponse res = ctx.res();
            res.setStatus(200);
            res.setContentType("text/event-stream;charset=utf-8");
            res.setHeader("Cache-Control", "no-cache");
            res.setHeader("X-Accel-Buffering", "no");
            OutputStream out = res.getOutputStream();
            pump(feed, out);
        } catch (IOException gone) {
            // the watcher went away
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } finally {
            open.decrementAndGet();
        }
    }

    /** Ends every stream within a moment (the server stops). */
    void close() {
        closing = true;
    }

    private void pump(Feed feed, OutputStream out) throws IOException, InterruptedException {
        out.flush();
        long quietSince = System.nanoTime();
        while (!closing) {
            StreamItem item = feed.next(SLICE);
            if (item == null) {
                if (System.nanoTime() - quietSince >= keepAlive.toNanos()) {
                    write(out, ": keep-alive\n\n");
                    quietSince = System.nanoTime();
                }
                continue;
            }
            // what is already there goes out in one flush: a burst of events costs one write per watcher, not one each
            do {
                if (item instanceof StreamItem.End) {
                    out.flush();
                    return;
                }
                if (item instanceof StreamItem.EventItem e) {
                    append(out, "id: " + e.event().seq() + "\nevent: event\ndata: " + e.json() + "\n\n");
                } else if (item instanceof StreamItem.StatusItem s) {
                    append(out, "event: status\ndata: " + Json.MAPPER.writeValueAsString(new ApiViews.StatusChange(s.status())) + "\n\n");
                }
                item = feed.ready();
            } while (item != null);
            out.flush();
            quietSince = System.nanoTime();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        append(out, text);
        out.flush();
    }

    private static void append(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
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
