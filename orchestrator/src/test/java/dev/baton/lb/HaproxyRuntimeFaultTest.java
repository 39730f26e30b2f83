package dev.baton.lb;

import dev.baton.rollout.Instance;
import dev.baton.rollout.StepFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** HAProxy's runtime socket as a hostile peer: every misbehaviour ends in a bounded, named failure. */
class HaproxyRuntimeFaultTest {
    private static final Instance WEB1 = new Instance("web-1", "web", "node", "127.0.0.1", 8080);
    private static final Duration GUARD = Duration.ofSeconds(15);

    @Test
    void awaitOutOfRotationGivesUpWithinItsTimeoutWhenTheSocketNeverAnswers() throws Exception {
        try (HostileRuntimeSocket socket = HostileRuntimeSocket.unix(HostileRuntimeSocket.hanging())) {
            HaproxyLoadBalancer lb = new HaproxyLoadBalancer(new HaproxyRuntime(socket.address()), "app");
            long started = System.nanoTime();
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> lb.awaitOutOfRotation(WEB1, Duration.ofSeconds(1)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("did not finish answering"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            System.out.println("awaitOutOfRotation(timeout 1s) on a hanging socket gave up after " + took.toMillis() + " ms");
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(1500));
        }
    }

    @Test
    void oneCallIsBoundedByTheCallTimeoutOverTcpToo() throws Exception {
        try (HostileRuntimeSocket socket = HostileRuntimeSocket.tcp(HostileRuntimeSocket.hanging())) {
            HaproxyRuntime runtime = new HaproxyRuntime(socket.address(), Duration.ofMillis(500));
            long started = System.nanoTime();
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> runtime.servers("app"))
                    .isInstanceOf(StepFailure.class)
                    .hasMessage("HAProxy runtime API at " + socket.address() + " did not finish answering within 500 ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1000));
        }
    }

    @Test
    void aDrippingAnswerIsCutAtTheDeadline() throws Exception {
        try (HostileRuntimeSocket socket = HostileRuntimeSocket.unix(HostileRuntimeSocket.dripping(50))) {
            HaproxyRuntime runtime = new HaproxyRuntime(socket.address(), Duration.ofMillis(700));
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> runtime.servers("app"))
                    .isInstanceOf(StepFailure.class).hasMessageMatching(".*did not finish answering within 700 ms \\(\\d+ bytes so far\\)"));
        }
    }

    @Test
    void anAnswerThatNeverEndsIsRefusedAtTheSizeCap() throws Exception {
        try (HostileRuntimeSocket socket = HostileRuntimeSocket.unix(HostileRuntimeSocket.flooding())) {
            HaproxyRuntime runtime = new HaproxyRuntime(socket.address(), Duration.ofSeconds(10));
            assertTimeoutPreemptively(GUARD, () -> assertThatThrownBy(() -> runtime.servers("app"))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("answered more than 1048576 bytes"));
        }
    }

    /** Issue 8: "Can't find backend." was read as "out of rotation" and PROPAGATE passed in 2 ms. */
    @Test
    void unknownBackendFailsTheWaitInsteadOfPassingIt() throws Exception {
        try (HostileRuntimeSocket socket = HostileRuntimeSocket.unix(HostileRuntimeSocket.answering("Can't find backend.\n\n"))) {
            HaproxyLoadBalancer lb = new HaproxyLoadBalancer(new HaproxyRuntime(socket.address()), "no-such-backend");
            assertThatThrownBy(() -> lb.awaitOutOfRotation(WEB1, Duration.ofSeconds(5)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("\"Can't find backend.\"");
        }
    }

    /** Issue 8: this answer made the rollout end with ArrayIndexOutOfBoundsException and the instance never put back. */
    @Test
    void malformedTableFailsTheWaitWithAStepFailure() throws Exception {
        try (HostileRuntimeSocket socket = HostileRuntimeSocket.unix(HostileRuntimeSocket.answering("# be_id be_name\n1 web"))) {
            HaproxyLoadBalancer lb = new HaproxyLoadBalancer(new HaproxyRuntime(socket.address()), "app");
            assertThatThrownBy(() -> lb.awaitOutOfRotation(WEB1, Duration.ofSeconds(5)))
                    .isInstanceOf(StepFailure.class).hasMessageContaining("cut off");
        }
    }

    @Test
    void anEmptyAnswerFailsTheWait() throws Exception {
        try (HostileRuntimeSocket socket = HostileRuntimeSocket.unix(HostileRuntimeSocket.answering(""))) {
            HaproxyLoadBalancer lb = new HaproxyLoadBalancer(new HaproxyRuntime(socket.address()), "app");
            assertThatThrownBy(() -> lb.awaitOutOfRotation(WEB1, Duration.ofSeconds(5)))
                    .isInstanceOf(StepFailure.class).hasMessage("HAProxy answered nothing to `show servers state app`");
        }
    }

    @Test
    void aMissingSocketIsUnreachable() {
        HaproxyRuntime runtime = new HaproxyRuntime("unix:/nonexistent/baton/admin.sock");
        assertThatThrownBy(() -> runtime.servers("app")).isInstanceOf(StepFailure.class)
                .hasMessageStartingWith("HAProxy runtime API at unix:/nonexistent/baton/admin.sock is unreachable");
    }
}
