package dev.baton.lb;

import dev.baton.rollout.Instance;
import dev.baton.rollout.LoadBalancer;
import dev.baton.rollout.StepFailure;

import java.time.Duration;
import java.time.Instant;

/**
 * Asks HAProxy itself whether a backend still routes to an instance: out of rotation once no server
 * slot of the backend with the instance's address and port is running without a maintenance flag
 * (a slot filled from Consul DNS goes to maintenance when the record disappears).
 */
public final class HaproxyLoadBalancer implements LoadBalancer {
    private static final Duration POLL = Duration.ofMillis(20);

    private final HaproxyRuntime runtime;
    private final String backend;

    public HaproxyLoadBalancer(HaproxyRuntime runtime, String backend) {
        this.runtime = runtime;
        this.backend = backend;
    }

    @Override
    public boolean awaitOutOfRotation(Instance instance, Duration timeout) throws StepFailure, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (!routesTo(instance)) return true;
            if (!Instant.now().isBefore(deadline)) return false;
            Thread.sleep(POLL.toMillis());
        }
    }

    boolean routesTo(Instance instance) throws StepFailure {
        return runtime.servers(backend).stream().anyMatch(s -> s.inRotation()
                && s.address().equals(instance.address()) && s.port() == instance.port());
    }
}
