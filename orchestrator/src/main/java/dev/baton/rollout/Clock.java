package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;

/** Time, so that tests can run every wait instantly with a fake. */
public interface Clock {
    Instant now();

    void sleep(Duration duration) throws InterruptedException;

    Clock SYSTEM = new Clock() {
        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration.toMillis());
        }
    };
}
