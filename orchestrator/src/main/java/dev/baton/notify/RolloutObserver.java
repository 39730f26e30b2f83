package dev.baton.notify;

import dev.baton.rollout.Event;
import dev.baton.store.RolloutStatus;

import java.util.List;

/**
 * Watches rollouts from the side: every (redacted) engine event, then the final status. Called on the rollout's
 * thread, so an implementation only records and returns — it never blocks, never throws into the rollout.
 */
public interface RolloutObserver {
    RolloutObserver NONE = new RolloutObserver() {
    };

    /** The rollout an event belongs to; {@code resumed} when this server took it over from a stopped one. */
    record Rollout(String id, String service, String version, boolean resumed) {
    }

    default void event(Rollout rollout, Event event) {
    }

    /** The rollout ended with a final status (not called when it was handed over to another server). */
    default void ended(Rollout rollout, RolloutStatus status, String summary) {
    }

    /** This server stopped running the rollout without an end: another server resumes it (and ends it there). */
    default void handedOver(Rollout rollout) {
    }

    /** Every observer in turn; one that throws does not keep the others from seeing the event. */
    static RolloutObserver all(List<RolloutObserver> observers) {
        return new RolloutObserver() {
            @Override
            public void event(Rollout rollout, Event event) {
                for (RolloutObserver o : observers) {
                    try {
                        o.event(rollout, event);
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(RolloutObserver.class).warn("observer {} failed on an event: {}",
                                o.getClass().getSimpleName(), e.toString());
                    }
                }
            }

            @Override
            public void ended(Rollout rollout, RolloutStatus status, String summary) {
                for (RolloutObserver o : observers) {
                    try {
                        o.ended(rollout, status, summary);
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(RolloutObserver.class).warn("observer {} failed on an end: {}",
                                o.getClass().getSimpleName(), e.toString());
                    }
                }
            }

            @Override
            public void handedOver(Rollout rollout) {
                for (RolloutObserver o : observers) {
                    try {
                        o.handedOver(rollout);
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(RolloutObserver.class).warn("observer {} failed on a hand-over: {}",
                                o.getClass().getSimpleName(), e.toString());
                    }
                }
            }
        };
    }
}
