package dev.baton.server;

import dev.baton.consul.ConsulDevAgent;
import dev.baton.store.ConsulKv;
import dev.baton.store.LockTiming;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Leader election on a real Consul: one leader at a time, a graceful hand-over at once, a lost session deposes. */
class LeadershipTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final OkHttpClient HTTP = new OkHttpClient();
    private static ConsulDevAgent consul;
    private static ConsulKv kv;

    @BeforeAll
    static void start() throws Exception {
        consul = ConsulDevAgent.start();
        kv = new ConsulKv(HTTP, consul.url(), null);
    }

    @AfterAll
    static void stop() {
        if (consul != null) consul.close();
    }

    /** What a server would do on election and deposition, in order. */
    private static final class Recorded implements Leadership.Listener {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void elected() {
            calls.add("elected");
        }

        @Override
        public void deposed(String why) {
            calls.add("deposed: " + why);
        }
    }

    @Test
    void oneLeadsTheOtherFollowsAndTakesOverAtOnceWhenTheLeaderStepsDownOrAfterTheLockDelayWhenItsSessionIsDestroyed()
            throws Exception {
        Recorded firstCalls = new Recorded();
        Recorded secondCalls = new Recorded();
        Leadership first = new Leadership(kv, "first", () -> "http://127.0.0.1:1001", LockTiming.unchecked(TTL), firstCalls);
        Leadership second = new Leadership(kv, "second", () -> "http://127.0.0.1:1002", LockTiming.unchecked(TTL), secondCalls);
        try {
            awaitNoLeader();
            first.start(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(20)).until(first::leading); // a lock delay the other test left may still run
            second.start(Duration.ofSeconds(5));
            assertThat(second.leading()).isFalse();
            assertThat(second.leader()).map(Leadership.Leader::url).contains("http://127.0.0.1:1001");
            assertThat(firstCalls.calls).containsExactly("elected");
            assertThat(secondCalls.calls).isEmpty();

            long closing = System.nanoTime();
            first.close();
            await().atMost(Duration.ofSeconds(5)).until(second::leading);
            System.out.printf("leadership: graceful hand-over in %d ms%n", (System.nanoTime() - closing) / 1_000_000);
            assertThat(firstCalls.calls).containsExactly("elected");

            Recorded thirdCalls = new Recorded();
            Leadership third = new Leadership(kv, "third", () -> "http://127.0.0.1:1003", LockTiming.unchecked(TTL), thirdCalls);
            try {
                third.start(Duration.ofSeconds(5));
                assertThat(third.leading()).isFalse();
                assertThat(third.leader()).map(Leadership.Leader::url).contains("http://127.0.0.1:1002");

                // Consul invalidates the leader's session (as after its TTL): it is deposed; the lock delay holds the key
                destroySession(kv.get(Leadership.KEY).orElseThrow().session());
                long destroyed = System.nanoTime();
                await().atMost(Duration.ofSeconds(10)).until(() -> !second.leading());
                await().atMost(Duration.ofSeconds(5)).until(() -> secondCalls.calls.size() == 2);
                assertThat(secondCalls.calls.get(1)).startsWith("deposed: ");
                assertThat(third.leading()).isFalse();
                await().atMost(Duration.ofSeconds(30)).until(() -> second.leading() || third.leading());
                long after = (System.nanoTime() - destroyed) / 1_000_000;
                System.out.printf("leadership: re-elected %d ms after the session was destroyed%n", after);
                assertThat(after).as("not before the lock delay").isGreaterThanOrEqualTo(LockTiming.LOCK_DELAY.toMillis() - 1_000);
                assertThat(second.leading() && third.leading()).isFalse();
            } finally {
                third.close();
            }
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aLeaderCutOffFromConsulStepsDownAndOneIsElectedAgainOnceConsulAnswers() throws Exception {
        Recorded firstCalls = new Recorded();
        Leadership first = new Leadership(kv, "first", () -> "http://127.0.0.1:2001", LockTiming.unchecked(TTL), firstCalls);
        Leadership second = new Leadership(kv, "second", () -> "http://127.0.0.1:2002", LockTiming.unchecked(TTL), new Recorded());
        try {
            awaitNoLeader();
            first.start(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(20)).until(first::leading); // a lock delay the other test left may still run
            second.start(Duration.ofSeconds(5));
            consul.signal("STOP");
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> !first.leading()); // its lease
                // its calls to Consul time out: it steps down and stops its duties
                await().atMost(Duration.ofSeconds(25)).until(() -> firstCalls.calls.stream().anyMatch(c -> c.startsWith("deposed: ")));
            } finally {
                consul.signal("CONT");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> first.leading() || second.leading());
            assertThat(first.leading() && second.leading()).isFalse();
            String url = (first.leading() ? first : second).leader().orElseThrow().url();
            await().atMost(Duration.ofSeconds(5)).until(() -> first.leader().map(Leadership.Leader::url).orElse("").equals(url)
                    && second.leader().map(Leadership.Leader::url).orElse("").equals(url));
        } finally {
            consul.signal("CONT");
            first.close();
            second.close();
        }
    }

    /** The other test's sessions are gone (their servers stopped; an abandoned one expires within 2 x TTL). */
    private static void awaitNoLeader() {
        await().atMost(Duration.ofSeconds(40)).until(() -> kv.get(Leadership.KEY).map(e -> e.session() == null).orElse(true));
    }

    private static void destroySession(String session) throws Exception {
        try (Response r = HTTP.newCall(new Request.Builder()
                .url(consul.url().newBuilder().addPathSegments("v1/session/destroy").addPathSegment(session).build())
                .put(RequestBody.create(new byte[0])).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
        }
    }
}
