package dev.baton.cli;

import dev.baton.store.Json;
import dev.baton.store.LoggedEvent;
import okhttp3.Response;
import okio.BufferedSource;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Follows a rollout's event stream to its final status. A dropped stream (the server restarted, a proxy cut it)
 * is opened again after the last event received, for at most {@link #GIVE_UP} without any answer.
 */
final class EventFollower {
    private static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK");
    private static final Duration GIVE_UP = Duration.ofSeconds(90);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final ServerClient client;

    EventFollower(ServerClient client) {
        this.client = client;
    }

    /** Calls {@code onEvent} for each event after {@code afterSeq}; returns the final status. */
    String follow(String id, long afterSeq, Consumer<LoggedEvent> onEvent) {
        long last = afterSeq;
        long failingSince = 0;
        IOException lastFailure = null;
        while (true) {
            Stream stream = new Stream(last, onEvent);
            try (Response response = client.stream("/rollouts/" + id + "/events", last)) {
                failingSince = 0;
                stream.read(response.body().source());
            } catch (IOException e) {
                lastFailure = e;
            } catch (BatonMain.UserError refused) {
                // a restarting server may refuse for a moment (e.g. 404 before it has read its history)
                if (failingSince == 0) throw refused;
                lastFailure = new IOException(refused.getMessage());
            }
            last = stream.last;
            if (stream.finalStatus != null) return stream.finalStatus;
            if (stream.received) failingSince = 0;
            if (failingSince == 0) failingSince = System.nanoTime();
            if (System.nanoTime() - failingSince > GIVE_UP.toNanos()) {
                throw new BatonMain.UserError("lost the event stream of " + id + " at " + client.address()
                        + (lastFailure == null ? "" : ": " + lastFailure.getMessage()) + " (the rollout goes on: baton status " + id + ")");
            }
            try {
                Thread.sleep(RETRY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BatonMain.UserError("interrupted (the rollout goes on: baton status " + id + ")");
            }
        }
    }

    /** One connection's worth of the stream. */
    private static final class Stream {
        private final Consumer<LoggedEvent> onEvent;
        long last;
        boolean received;
        String finalStatus;

        Stream(long last, Consumer<LoggedEvent> onEvent) {
            this.last = last;
            this.onEvent = onEvent;
        }

        void read(BufferedSource source) throws IOException {
            String type = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = source.readUtf8Line()) != null) {
                if (line.isEmpty()) {
                    dispatch(type, data.toString());
                    if (finalStatus != null) return;
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    received = true;
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    if (field.equals("event")) type = value;
                    else if (field.equals("data")) data.append(data.length() == 0 ? "" : "\n").append(value);
                }
            }
        }

        private void dispatch(String type, String data) throws IOException {
            if (data.isEmpty()) return;
            received = true;
            if (type.equals("event")) {
                LoggedEvent event = Json.MAPPER.readValue(data, LoggedEvent.class);
                if (event.seq() <= last) return;
                last = event.seq();
                onEvent.accept(event);
            } else if (type.equals("status")) {
                String status = Json.MAPPER.readTree(data).path("status").asText();
                if (FINAL.contains(status)) finalStatus = status;
            }
        }
    }
}
