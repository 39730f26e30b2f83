package dev.baton.api;

import dev.baton.server.Leadership;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes go to the leader only. A follower refuses a write before it does anything: 409 with the leader's URL in the
 * body ({@code {"error": ..., "leader": URL}}) and in {@code X-Baton-Leader}, or 503 with {@code Retry-After} while no
 * leader is elected. Refusing rather than forwarding keeps the caller's token between the caller and the server it
 * chose; the CLI follows the pointer once.
 */
final class FollowerGate {
    static final String LEADER_HEADER = "X-Baton-Leader";
    private static final int RETRY_AFTER_SECONDS = 5;

    /** A write this server does not take, with where to send it (null: nowhere yet). */
    static final class NotLeader extends RuntimeException {
        private final int status;
        private final String leader;

        NotLeader(int status, String message, String leader) {
            super(message, null, false, false);
            this.status = status;
            this.leader = leader;
        }

        int status() {
            return status;
        }

        String leader() {
            return leader;
        }

        Map<String, String> body() {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("error", getMessage());
            if (leader != null) body.put("leader", leader);
            return body;
        }

        Map<String, String> headers() {
            return leader != null ? Map.of(LEADER_HEADER, leader) : Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
    }

    private final Leadership leadership;

    /** {@code leadership} null: a server that always leads (alone on its Consul, or in tests of one server). */
    FollowerGate(Leadership leadership) {
        this.leadership = leadership;
    }

    /** Empty when this server takes writes now; otherwise why not and where to go. */
    Optional<NotLeader> refusal() {
        if (leadership == null || leadership.leading()) return Optional.empty();
        Optional<Leadership.Leader> leader = leadership.leader().filter(l -> l.url() != null);
        if (leader.isPresent()) {
            String url = leader.get().url();
            return Optional.of(new NotLeader(409, "this server is a follower: writes go to the leader at " + url, url));
        }
        return Optional.of(new NotLeader(503, "no leader is elected yet (a stopped leader's Consul session expires, then a 15 s "
                + "lock delay passes): try again in a few seconds", null));
    }

    /** {@code GET /leader}: who leads (null while none is), and whether it is this server. */
    Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        Optional<Leadership.Leader> leader = leadership == null ? Optional.empty() : leadership.leader();
        view.put("leader", leader.map(Leadership.Leader::url).orElse(null));
        view.put("since", leader.map(Leadership.Leader::since).map(Object::toString).orElse(null));
        view.put("self", leadership == null || leadership.leading());
        return view;
    }
}
