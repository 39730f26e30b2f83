package dev.baton.rollout;

/** One health check of an instance, as a client of the service would see it. */
public interface HealthProbe {
    Result check(Instance instance) throws InterruptedException;

    record Result(boolean healthy, String detail) {
    }
}
