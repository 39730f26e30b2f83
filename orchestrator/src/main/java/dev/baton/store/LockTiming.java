package dev.baton.store;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The timing of every Consul session lock a server holds (the leader key and each service lock), and the one place
 * its safety argument is written down.
 *
 * <p>A session is bound to the server's own liveness check (an HTTP check on its listening port every 1 s, timeout
 * 1 s, see {@code LivenessCheck}) and to the node's {@code serfHealth}: Consul invalidates it as soon as the check goes
 * critical, about 1–2 s after the process died or stalled, instead of up to 2 × TTL. The TTL stays as a backstop for a
 * server whose check Consul cannot run. Because an invalidation can now come at any moment, the server's own lease
 * must be shorter than the lock delay by more than what it may still do after its lease ran out:
 *
 * <pre>
 *   t0 = start of the last renewal Consul accepted (so the session was valid at t0: invalidation T ≥ t0)
 *   the server acts only while now − t0 &lt; LEASE                      → its last fence check passes before t0 + 3 s ≤ T + 3 s
 *   a host call sent before that lands within CALL_LANDS             → nothing it sent lands after T + 3 s + 3 s = T + 6 s
 *   another server acquires no earlier than T + LOCK_DELAY           = T + 10 s
 *   LEASE + CALL_LANDS = 3 s + 3 s = 6 s  &lt;  LOCK_DELAY = 10 s       (4 s to spare for clock rate and scheduling)
 * </pre>
 *
 * Once its lease ran out a server restarts no host, but it still puts back or parks the hosts it has out of rotation,
 * and only while {@code now − t0 < HAND_BACK = LOCK_DELAY − CALL_LANDS = 7 s}: what it sends then lands before
 * T + 10 s. After that (a server that stalled longer, e.g. SIGSTOP or a long GC pause) it touches no host at all and
 * leaves them, journaled as in flight, to the next owner, which puts them back or parks them when it resumes.
 *
 * {@code CALL_LANDS} is the connect timeout of the host-acting clients (Consul agent, Baton agent, HAProxy runtime:
 * 3 s): a request that is not connected by then is never sent, and their bodies are small, so one that is sent is
 * applied by its receiver at once. A server paused (GC, SIGSTOP) between its fence check and sending a request is the
 * one case no lease covers; {@code LEASE} keeps the window for it narrow. Takeover after a SIGKILL is then about
 * check interval (1 s) + {@code LOCK_DELAY} (10 s) + a follower's retry (1 s) ≈ 12 s.
 */
public final class LockTiming {
    /** Consul's minimum; only a backstop now that sessions follow the server's liveness check. */
    public static final Duration TTL = Duration.ofSeconds(10);
    public static final Duration RENEW_EVERY = Duration.ofSeconds(1);
    public static final Duration LEASE = Duration.ofSeconds(3);
    public static final Duration CALL_LANDS = Duration.ofSeconds(3);
    public static final Duration LOCK_DELAY = Duration.ofSeconds(10);
    public static final Duration HAND_BACK = LOCK_DELAY.minus(CALL_LANDS);

    static {
        if (LEASE.compareTo(HAND_BACK) >= 0) throw new IllegalStateException("LEASE + CALL_LANDS must stay below LOCK_DELAY");
    }

    private final Duration ttl;
    private final Supplier<List<String>> checks;

    /** {@code checks}: the service check IDs a new session is bound to (empty until the server registered its own). */
    public LockTiming(Duration ttl, Supplier<List<String>> checks) {
        this.ttl = ttl;
        this.checks = checks;
    }

    /** The TTL alone, bound to no service check (the CLI, which has no listening port to check). */
    public static LockTiming unchecked(Duration ttl) {
        return new LockTiming(ttl, List::of);
    }

    public Duration ttl() {
        return ttl;
    }

    public String createSession(ConsulKv kv, String name) {
        return kv.createSession(name, ttl, LOCK_DELAY, checks.get());
    }

    /** Why a server whose last renewal started at {@code confirmedAt} may not even put its hosts back, or null. */
    public static String handBackClosed(long confirmedAt) {
        Duration since = Duration.ofNanos(System.nanoTime() - confirmedAt);
        if (since.compareTo(HAND_BACK) < 0) return null;
        return "no renewal of its Consul session succeeded for " + since.toMillis() / 100 / 10.0 + "s: another server may "
                + "own the rollout (hand-back window " + HAND_BACK.toSeconds() + "s)";
    }

    /** Why a lease confirmed by a renewal that started at {@code confirmedAt} (nanoTime) no longer holds, or null. */
    public static String expired(long confirmedAt) {
        Duration since = Duration.ofNanos(System.nanoTime() - confirmedAt);
        if (since.compareTo(LEASE) < 0) return null;
        return "no renewal of its Consul session succeeded for " + since.toMillis() / 100 / 10.0 + "s (lease "
                + LEASE.toSeconds() + "s)";
    }
}
