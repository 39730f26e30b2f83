package dev.baton.lb;

import dev.baton.rollout.Instance;
import dev.baton.rollout.LoadBalancer;
import dev.baton.rollout.StepFailure;

import java.time.Duration;
import java.time.Instant;

/**
 * Asks HAProxy itself whether a backend still routes to an instance: out of rotation once no server
 * slot of the backend with the instance's address and port is running without a maintenance flag
 * (a slot filled from Consul DNS goes to maintenance when the record disappears). An answer HAProxy
 * did not give in the expected form fails the wait instead of passing it.
 */
public final class HaproxyLoadBalancer implements LoadBalancer {
    private static final Duration POLL = Duration.ofMillis(20);
    /** The last question asked at the deadline still gets this long to be answered. */
    private static final Duration LAST_CALL = Duration.ofMillis(250);

    private final HaproxyRuntime runtime;
    private final String backend;
    private final SharedQuestion<java.util.List<HaproxyRuntime.ServerState>> servers;
    private final SharedQuestion<java.util.List<HaproxyRuntime.ServerSessions>> sessions;

    public HaproxyLoadBalancer(HaproxyRuntime runtime, String backend) {
        this.runtime = runtime;
        this.backend = backend;
        this.servers = new SharedQuestion<>((deadline, budget) -> runtime.servers(backend, deadline, budget));
        this.sessions = new SharedQuestion<>((deadline, budget) -> runtime.sessions(backend, deadline, budget));
    }

    /** Returns within {@code timeout} plus at most {@link #LAST_CALL}, whatever the socket does. */
    @Override
    public boolean awaitOutOfRotation(Instance instance, Duration timeout) throws StepFailure, InterruptedException {
        long[] seen = {System.nanoTime() - 1};
        return await(timeout, callDeadline -> !routesTo(instance, seen, callDeadline));
    }

    @Override
    public boolean reportsSessions() {
        return true;
    }

    /**
     * Out of rotation, and no session nor queued request on any slot that has the instance's address or none (a
     * slot emptied by DNS loses its address, not its sessions): HAProxy itself proves no request can reach it. The
     * sessions are read with a question sent after an answer showed the instance out (one sent before could show an
     * idle instance that was still being routed to), so this wait needs no {@link #awaitOutOfRotation} before it.
     */
    @Override
    public boolean awaitNoSessions(Instance instance, Duration timeout) throws StepFailure, InterruptedException {
        String address = instance.address() + ":" + instance.port();
        long[] seenServers = {System.nanoTime() - 1};
        long[] seenSessions = {System.nanoTime() - 1};
        return await(timeout, callDeadline -> {
            if (routesTo(instance, seenServers, callDeadline)) return false;
            long seenOut = System.nanoTime();
            SharedQuestion.Answer<java.util.List<HaproxyRuntime.ServerSessions>> answer =
                    sessions.sentAfter(Math.max(seenSessions[0], seenOut), callDeadline, budget(callDeadline));
            seenSessions[0] = answer.sentAt();
            return answer.value().stream().filter(s -> s.address().isEmpty() || s.address().equals(address))
                    .allMatch(HaproxyRuntime.ServerSessions::idle);
        });
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds(Instant callDeadline) throws StepFailure, InterruptedException;
    }

    private boolean await(Duration timeout, Condition condition) throws StepFailure, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Instant now = Instant.now();
            Instant callDeadline = earliest(now.plus(runtime.callTimeout()), latest(deadline, now.plus(LAST_CALL)));
            try {
                if (condition.holds(callDeadline)) return true;
            } catch (StepFailure e) {
                if (Thread.interrupted()) throw new InterruptedException();
                throw e;
            }
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) return false;
            Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left.toMillis())));
        }
    }

    private static Duration budget(Instant callDeadline) {
        Duration left = Duration.between(Instant.now(), callDeadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Asks (or shares) a {@code show servers state} sent after the last one this wait looked at ({@code seen}). */
    private boolean routesTo(Instance instance, long[] seen, Instant deadline) throws StepFailure, InterruptedException {
        SharedQuestion.Answer<java.util.List<HaproxyRuntime.ServerState>> answer = servers.sentAfter(seen[0], deadline, budget(deadline));
        seen[0] = answer.sentAt();
        return answer.value().stream().anyMatch(s -> s.inRotation()
                && s.address().equals(instance.address()) && s.port() == instance.port());
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
