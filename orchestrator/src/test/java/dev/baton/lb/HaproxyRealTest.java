package dev.baton.lb;

import dev.baton.rollout.Instance;
import dev.baton.rollout.StepFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the real HAProxy from bin/setup: what it really answers is read exactly, and an unknown backend fails loudly. */
class HaproxyRealTest {
    private static RealHaproxy haproxy;

    @BeforeAll
    static void start() throws Exception {
        haproxy = RealHaproxy.start("127.0.0.1:18081", "127.0.0.2:18082");
    }

    @AfterAll
    static void stop() throws Exception {
        if (haproxy != null) haproxy.close();
    }

    @Test
    void readsTheRealTable() throws StepFailure {
        List<HaproxyRuntime.ServerState> servers = new HaproxyRuntime(haproxy.runtimeAddress()).servers("app");

        assertThat(servers).extracting(HaproxyRuntime.ServerState::name, HaproxyRuntime.ServerState::address,
                        HaproxyRuntime.ServerState::port)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("s1", "127.0.0.1", 18081),
                        org.assertj.core.groups.Tuple.tuple("s2", "127.0.0.2", 18082));
        assertThat(servers.get(1).inRotation()).isFalse();
    }

    @Test
    void aServerInMaintenanceIsOutOfRotation() throws Exception {
        HaproxyLoadBalancer lb = new HaproxyLoadBalancer(new HaproxyRuntime(haproxy.runtimeAddress()), "app");
        assertThat(lb.awaitOutOfRotation(new Instance("web-2", "web", "n", "127.0.0.2", 18082), Duration.ofSeconds(2))).isTrue();
    }

    /** PROPAGATE asks this at the same time as the rotation check: an idle server still in rotation must not pass it. */
    @Test
    void noSessionsNeedsTheServerOutOfRotationNotOnlyIdle() throws Exception {
        HaproxyLoadBalancer lb = new HaproxyLoadBalancer(new HaproxyRuntime(haproxy.runtimeAddress()), "app");
        assertThat(lb.awaitNoSessions(new Instance("web-1", "web", "n", "127.0.0.1", 18081), Duration.ofMillis(300))).isFalse();
        assertThat(lb.awaitNoSessions(new Instance("web-2", "web", "n", "127.0.0.2", 18082), Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void readsTheRealTrafficTable() throws StepFailure {
        dev.baton.rollout.TrafficSample sample = new HaproxyTraffic(new HaproxyRuntime(haproxy.runtimeAddress()), "app").sample();

        assertThat(sample.servers()).extracting(dev.baton.rollout.TrafficSample.Server::endpoint,
                        dev.baton.rollout.TrafficSample.Server::up)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1:18081", true),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.2:18082", false));
        assertThatThrownBy(() -> new HaproxyTraffic(new HaproxyRuntime(haproxy.runtimeAddress()), "no-such-backend").sample())
                .isInstanceOf(StepFailure.class).hasMessageContaining("\"No such proxy.\"");
    }

    /** Issue 8: {@code backend: no-such-backend} reported PROPAGATE verified in 2 ms. */
    @Test
    void aConfiguredButUnknownBackendFailsLoudly() {
        HaproxyLoadBalancer lb = new HaproxyLoadBalancer(new HaproxyRuntime(haproxy.runtimeAddress()), "no-such-backend");
        assertThatThrownBy(() -> lb.awaitOutOfRotation(new Instance("web-1", "web", "n", "127.0.0.1", 18081), Duration.ofSeconds(2)))
                .isInstanceOf(StepFailure.class)
                .hasMessage("HAProxy did not answer `show servers state no-such-backend` with a version-1 server table: "
                        + "\"Can't find backend.\"");
    }
}
