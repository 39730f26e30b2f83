package dev.baton.store;

import dev.baton.rollout.HostState;
import dev.baton.fleet.LocalFleet;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Registration;
import dev.baton.rollout.Resume;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.SwitchedHost;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The journal a crashed server leaves in real Consul KV is what the next one resumes from. */
class RolloutStoreTest {
    private static LocalFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 1, "1.0.0");
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    @Test
    void theJournalRoundTripsThroughConsulKv() {
        RolloutStore store = new RolloutStore(new ConsulKv(new OkHttpClient(), HttpUrl.get(fleet.consulAddress()), null));
        Registration one = registration("web-1");
        Registration two = registration("web/2 odd");
        Registration three = registration("web-3");

        store.leaving("r-test", one);
        store.moved("r-test", "web-1", HostState.DONE, "2.0.0");
        store.switched("r-test", new SwitchedHost(one, "1.0.0"));
        store.leaving("r-test", two);
        store.leaving("r-test", three);
        store.moved("r-test", "web-3", HostState.PARKED, null);
        store.switched("r-test", new SwitchedHost(three, "1.0.0"));

        Resume resume = store.resume("r-test");

        assertThat(resume.settled()).containsOnly(Map.entry("web-1", HostState.DONE),
                Map.entry("web-3", HostState.PARKED));
        assertThat(resume.inFlight()).containsExactly(two);
        assertThat(resume.switched()).containsExactlyInAnyOrder(new SwitchedHost(one, "1.0.0"), new SwitchedHost(three, "1.0.0"));
    }

    private static Registration registration(String id) {
        Instance instance = new Instance(id, "web", "baton-dev", "127.0.0.9", 8080, Map.of("zone", "a"));
        return new Registration(instance, Map.of("ID", id, "Name", "web", "Tags", List.of("prod"), "Port", 8080));
    }
}
