package dev.baton.lb;

import dev.baton.rollout.StepFailure;
import dev.baton.rollout.TrafficSample;
import dev.baton.rollout.TrafficSource;

/** The traffic of one HAProxy backend, from its runtime API's {@code show stat}. */
public final class HaproxyTraffic implements TrafficSource {
    private final HaproxyRuntime runtime;
    private final String backend;

    public HaproxyTraffic(HaproxyRuntime runtime, String backend) {
        this.runtime = runtime;
        this.backend = backend;
    }

    @Override
    public TrafficSample sample() throws StepFailure {
        return runtime.traffic(backend);
    }
}
