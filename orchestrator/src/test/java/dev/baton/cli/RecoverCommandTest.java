package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.consul.ConsulClient;
import dev.baton.consul.ConsulRegistry;
import dev.baton.fleet.LocalFleet;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Registration;
import dev.baton.store.ConsulKv;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;
import dev.baton.store.RolloutStore;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code baton recover}: a host an ended rollout parked goes back into rotation from the journal, on real Consul. */
class RecoverCommandTest {
    private static final OkHttpClient HTTP = new OkHttpClient();
    private static LocalFleet fleet;
    private static RolloutStore store;
    private static ConsulRegistry registry;
    /** web-1's registration before any test parked it (Consul will not give it back while in maintenance). */
    private static Registration saved;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 2, "1.0.0");
        store = new RolloutStore(new ConsulKv(HTTP, HttpUrl.get(fleet.consulAddress()), null));
        registry = new ConsulRegistry(new ConsulClient(HTTP, null), HttpUrl.get(fleet.consulAddress()));
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    private static BatonCli.Run baton(String... args) {
        return BatonCli.run(args);
    }

    /** A rollout that ended with web-1 parked in maintenance, as the engine leaves it in Consul and in its journal. */
    private static String endedWithParkedHost(String id, RolloutStatus status) throws Exception {
        String plan = Files.readString(fleet.writePlan("1.0.0", null));
        store.create(new RolloutRecord(id, "web", "1.0.0", status, Instant.now(), status.isFinal() ? Instant.now() : null,
                "test", List.of()), plan);
        Instance web1 = registry.instances("web", null).stream().filter(i -> i.id().equals("web-1")).findFirst().orElseThrow();
        if (saved == null) saved = registry.save(web1);
        store.leaving(id, saved);
        registry.maintenance(web1, true, "baton: parked: unhealthy (503) after: not healthy within 30s");
        store.moved(id, "web-1", HostState.PARKED, "1.0.0");
        store.moved(id, "web-2", HostState.DONE, "1.0.0");
        store.flush(); // host states are journaled in batches; a server stores them before its rollout ends
        return id;
    }

    private static Set<String> passing() throws Exception {
        try (Response r = HTTP.newCall(new Request.Builder().url(fleet.consulAddress() + "/v1/health/service/web?passing").build()).execute()) {
            Set<String> ids = new TreeSet<>();
            new ObjectMapper().readTree(r.body().string()).forEach(n -> ids.add(n.path("Service").path("ID").asText()));
            return ids;
        }
    }

    @Test
    void aParkedHostThatIsHealthyGoesBackIntoRotationAndASecondRunHasNothingToDo() throws Exception {
        String id = endedWithParkedHost("r-20261129-0901", RolloutStatus.FAILED);
        assertThat(passing()).containsExactly("web-2");

        BatonCli.Run run = baton("recover", id, "--consul", fleet.consulAddress());

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).containsPattern("web-1 +RESTORE +ok").contains("web-1: RESTORED");
        assertThat(passing()).containsExactly("web-1", "web-2");
        assertThat(store.resume(id).states()).containsEntry("web-1", HostState.RESTORED);

        BatonCli.Run again = baton("recover", id, "--consul", fleet.consulAddress());
        assertThat(again.code()).isZero();
        assertThat(again.out()).startsWith("nothing to recover: no host of " + id);
    }

    @Test
    void aRunningRolloutUnknownRolloutsAndHostsAreRefusedWithOneLine() throws Exception {
        String running = endedWithParkedHost("r-20261129-0902", RolloutStatus.RUNNING);
        try {
            BatonCli.Run busy = baton("recover", running, "--consul", fleet.consulAddress());
            assertThat(busy.code()).isEqualTo(BatonMain.USAGE);
            assertThat(busy.err().strip()).isEqualTo("baton: " + running + " is RUNNING: its server puts its hosts back; recover is for ended rollouts");

            BatonCli.Run unknown = baton("recover", "r-20261129-0999", "--consul", fleet.consulAddress());
            assertThat(unknown.code()).isEqualTo(BatonMain.USAGE);
            assertThat(unknown.err().strip()).isEqualTo("baton: no rollout r-20261129-0999 in Consul at " + fleet.consulAddress() + "/");

            BatonCli.Run badId = baton("recover", "../../v1/kv", "--consul", fleet.consulAddress());
            assertThat(badId.code()).isEqualTo(BatonMain.USAGE);
            assertThat(badId.err()).contains("is not a rollout id");

            String ended = endedWithParkedHost("r-20261129-0903", RolloutStatus.ABORTED);
            BatonCli.Run otherHost = baton("recover", ended, "--host", "web-9", "--consul", fleet.consulAddress());
            assertThat(otherHost.code()).isEqualTo(BatonMain.USAGE);
            assertThat(otherHost.err().strip()).isEqualTo("baton: " + ended + " never touched web-9");
            assertThat(passing()).doesNotContain("web-1");
        } finally {
            baton("recover", "r-20261129-0903", "--consul", fleet.consulAddress());
            try (Response ignored = HTTP.newCall(new Request.Builder().url(fleet.consulAddress() + "/v1/agent/service/maintenance/web-1?enable=false")
                    .put(RequestBody.create(new byte[0])).build()).execute()) {
                // leave the fleet as it started
            }
        }
    }
}
