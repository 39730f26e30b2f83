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

    public HaproxyLoadBalancer(HaproxyRuntime runtime, String backend) {
        this.runtime = runtime;
        this.backend = backend;
    }

    /** Returns within {@code timeout} plus at most {@link #LAST_CALL}, whatever the socket does. */
    @Override
    public boolean awaitOutOfRotation(Instance instance, Duration timeout) throws StepFailure, InterruptedException {
        return await(timeout, callDeadline -> !routesTo(instance, callDeadline, budget(callDeadline)));
    }

    @Override
    public boolean reportsSessions() {
        return true;
    }

    /**
     * Out of rotation, and no session nor queued request on any slot that has the instance's address or none (a
     * slot emptied by DNS loses its address, not its sessions): HAProxy itself proves no request can reach it.
     */
    @Override
    public boolean awaitNoSessions(Instance instance, Duration timeout) throws StepFailure, InterruptedException {
        String address = instance.address() + ":" + instance.port();
        return await(timeout, callDeadline -> !routesTo(instance, callDeadline, budget(callDeadline))
                && runtime.sessions(backend, callDeadline, budget(callDeadline)).stream()
                .filter(s -> s.address().isEmpty() || s.address().equals(address))
                .allMatch(HaproxyRuntime.ServerSessions::idle));
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

    private boolean routesTo(Instance instance, Instant deadline, Duration budget) throws StepFailure {
        return runtime.servers(backend, deadline, budget).stream().anyMatch(s -> s.inRotation()
                && s.address().equals(instance.address()) && s.port() == instance.port());
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
