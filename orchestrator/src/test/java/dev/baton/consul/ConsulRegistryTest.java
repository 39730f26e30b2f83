package dev.baton.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.rollout.Instance;
import dev.baton.rollout.Registration;
import dev.baton.rollout.StepFailure;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Consul adapter against a real Consul dev agent: hostile ids are refused, only the saved service goes back. */
class ConsulRegistryTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TRAVERSAL_ID = "a/../../../../../../v1/kv/pwned";
    private static final String QUOTE_ID = "q\" or ServiceID != \"";

    private static ConsulDevAgent consul;
    /** As a maintenance-mode rollout uses it: the registration never leaves Consul. */
    private static ConsulRegistry registry;
    /** As a deregister-mode rollout uses it. */
    private static ConsulRegistry deregistering;

    @BeforeAll
    static void start() throws Exception {
        consul = ConsulDevAgent.start();
        registry = new ConsulRegistry(new ConsulClient(new OkHttpClient(), null), consul.url(), false);
        deregistering = new ConsulRegistry(new ConsulClient(new OkHttpClient(), null), consul.url(), true);
    }

    @AfterAll
    static void stop() {
        if (consul != null) consul.close();
    }

    /** Issue 9: this id made Baton send {@code PUT /v1/kv/pwned}. */
    @Test
    void aServiceIdWithSlashesAndDotDotIsRefusedAndNothingIsWritten() throws Exception {
        registerService("rogue1", "r1-web-1", null);
        registerService("rogue1", TRAVERSAL_ID, null);

        assertThatThrownBy(() -> registry.instances("rogue1", null)).isInstanceOf(StepFailure.class)
                .hasMessage("refusing service ID \"a/../../../../../../v1/kv/pwned\" from Consul: only " + ConsulNames.ALLOWED
                        + " are allowed");
        Instance rogue = new Instance(TRAVERSAL_ID, "rogue1", ConsulDevAgent.NODE, "127.0.0.9", 8080);
        for (Acting act : List.<Acting>of(() -> registry.deregister(rogue), () -> registry.save(rogue),
                () -> registry.maintenance(rogue, true, "x"), () -> registry.register(new Registration(rogue, Map.of("ID", TRAVERSAL_ID))))) {
            assertThatThrownBy(act::run).isInstanceOf(StepFailure.class).hasMessageContaining("refusing service ID \"a/../");
        }

        assertThat(consul.get("v1/kv/pwned")).isNull();
        assertThat(consul.get("v1/kv/?keys")).isEqualTo("[]");
        assertThat(serviceIds()).contains(TRAVERSAL_ID, "r1-web-1");
    }

    /** Issue 9: a quote in the id injected into the checks filter, and JOIN re-registered every check of the agent. */
    @Test
    void aServiceIdWithAQuoteIsRefused() throws Exception {
        registerService("rogue2", "r2-web-1", null);
        registerService("rogue2", QUOTE_ID, null);

        assertThatThrownBy(() -> registry.instances("rogue2", null)).isInstanceOf(StepFailure.class)
                .hasMessageStartingWith("refusing service ID \"q\\\" or ServiceID != \\\"\" from Consul");
        Instance rogue = new Instance(QUOTE_ID, "rogue2", ConsulDevAgent.NODE, "127.0.0.9", 8080);
        assertThatThrownBy(() -> registry.save(rogue)).isInstanceOf(StepFailure.class).hasMessageContaining("refusing service ID");
        assertThat(serviceIds()).contains(QUOTE_ID);
    }

    @Test
    void controlCharactersInAnIdAreRefusedAndShownEscaped() throws Exception {
        registerService("rogue3", "r3\u001b[2Jweb", null);

        assertThatThrownBy(() -> registry.instances("rogue3", null)).isInstanceOf(StepFailure.class)
                .hasMessageStartingWith("refusing service ID \"r3\\u001b[2Jweb\" from Consul");
    }

    /** JOIN registers exactly the saved service with its own checks, never another service's or the node's checks. */
    @Test
    void savedRegistrationHoldsOnlyTheServicesOwnChecksAndGoesBackAsItWas() throws Exception {
        registerService("own", "own-1", httpCheck("own-1-http", null));
        registerService("own", "own-10", httpCheck("own-10-http", null));
        consul.put("v1/agent/check/register", """
                {"ID": "node-disk", "Name": "disk", "TTL": "1h", "Status": "passing"}""");
        awaitCheckRan("own-1-http");
        Instance own1 = instance("own", "own-1");

        Registration saved = deregistering.save(own1);

        assertThat(checkIds(saved)).containsExactly("own-1-http");
        deregistering.deregister(own1);
        assertThat(serviceIds()).doesNotContain("own-1");
        deregistering.register(saved);
        JsonNode checks = MAPPER.readTree(consul.get("v1/agent/checks"));
        assertThat(checks.path("own-1-http").path("ServiceID").asText()).isEqualTo("own-1");
        assertThat(checks.path("own-1-http").path("Type").asText()).isEqualTo("http");
        assertThat(checks.path("node-disk").path("ServiceID").asText()).isEmpty();
        assertThat(checks.path("own-10-http").path("ServiceID").asText()).isEqualTo("own-10");
        assertThat(registry.awaitPassing(own1, true, Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void aServiceWithoutChecksIsComplete() throws Exception {
        registerService("bare", "bare-1", null);

        Registration saved = registry.save(instance("bare", "bare-1"));

        assertThat(RegistrationCompleteness.incompleteReason(saved)).isNull();
    }

    /** Issue 8 item 5: Consul withholds a TTL; maintenance still works, deregistering is refused. */
    @Test
    void aTtlCheckMakesTheRegistrationIncompleteAndDeregisterRefused() throws Exception {
        registerService("ttl", "ttl-1", """
                [{"CheckID": "ttl-1-ttl", "Name": "heartbeat", "TTL": "30s", "Status": "passing"}]""");
        Instance ttl1 = instance("ttl", "ttl-1");

        Registration saved = registry.save(ttl1);

        assertThat(RegistrationCompleteness.incompleteReason(saved))
                .isEqualTo("Consul does not give back all of the registration of ttl-1: check \"ttl-1-ttl\" (ttl: the TTL, "
                        + "DeregisterCriticalServiceAfter)");
        assertThatThrownBy(() -> registry.deregister(ttl1)).isInstanceOf(StepFailure.class)
                .hasMessage("refusing to deregister ttl-1: cannot register ttl-1 again: check \"ttl-1-ttl\": Consul withholds "
                        + "its TTL (use drain.mode: maintenance, which keeps the registration)");
        assertThat(RegistrationCompleteness.unrestorableReason(saved)).isEqualTo("cannot register ttl-1 again: check \"ttl-1-ttl\": "
                + "Consul withholds its TTL");
        assertThatThrownBy(() -> registry.register(saved)).isInstanceOf(StepFailure.class)
                .hasMessageStartingWith("refusing to register ttl-1: cannot register ttl-1 again");
        assertThat(serviceIds()).contains("ttl-1");
        registry.maintenance(ttl1, true, "baton: test");
        assertThat(MAPPER.readTree(consul.get("v1/agent/checks")).has("_service_maintenance:ttl-1")).isTrue();
        registry.maintenance(ttl1, false, null);
        assertThat(MAPPER.readTree(consul.get("v1/agent/checks")).has("_service_maintenance:ttl-1")).isFalse();
    }

    /** In deregister mode nothing changes: saving fails before the instance leaves, as the engine expects. */
    @Test
    void inDeregisterModeARegistrationConsulWouldNotTakeBackFailsToSave() throws Exception {
        registerService("ttl2", "ttl2-1", """
                [{"CheckID": "ttl2-1-ttl", "Name": "heartbeat", "TTL": "30s", "Status": "passing"}]""");

        assertThatThrownBy(() -> deregistering.save(instance("ttl2", "ttl2-1"))).isInstanceOf(StepFailure.class)
                .hasMessage("cannot save the registration of ttl2-1 for deregister mode: cannot register ttl2-1 again: "
                        + "check \"ttl2-1-ttl\": Consul withholds its TTL (use drain.mode: maintenance, which keeps the registration)");
        assertThat(serviceIds()).contains("ttl2-1");
    }

    /** Issue 8 item 5: headers (and the rest of an HTTP check's definition) do not come back from Consul. */
    @Test
    void anHttpCheckWithHeadersMakesTheRegistrationIncomplete() throws Exception {
        registerService("hdr", "hdr-1", httpCheck("hdr-1-http", "{\"Authorization\": [\"Bearer s3cret\"]}"));
        awaitCheckRan("hdr-1-http");

        Registration saved = registry.save(instance("hdr", "hdr-1"));

        assertThat(RegistrationCompleteness.incompleteReason(saved)).startsWith(
                "Consul does not give back all of the registration of hdr-1: check \"hdr-1-http\" (http: headers, body,");
        assertThat(MAPPER.writeValueAsString(saved.definition())).doesNotContain("s3cret");
    }

    @Test
    void aConnectSidecarMakesTheRegistrationIncomplete() throws Exception {
        consul.put("v1/agent/service/register", """
                {"ID": "mesh-1", "Name": "mesh", "Address": "127.0.0.9", "Port": 8080, "Connect": {"SidecarService": {}}}""");

        Registration saved = registry.save(instance("mesh", "mesh-1"));

        assertThat(RegistrationCompleteness.incompleteReason(saved)).contains("Connect sidecar \"mesh-1-sidecar-proxy\"");
    }

    @Test
    void batonsOwnNotesNeverReachConsul() throws Exception {
        registerService("note", "note-1", null);
        Instance note1 = instance("note", "note-1");
        Registration saved = registry.save(note1);
        Map<String, Object> marked = new java.util.LinkedHashMap<>(saved.definition());
        marked.put("baton-parked", true);
        marked.put(RegistrationCompleteness.INCOMPLETE, "test");

        registry.deregister(note1);
        registry.register(new Registration(note1, marked));

        assertThat(serviceIds()).contains("note-1");
    }

    @Test
    void awaitPassingIsBoundedByItsTimeoutWhenTheStateNeverComes() throws Exception {
        registerService("never", "never-1", """
                [{"CheckID": "never-1-ttl", "Name": "heartbeat", "TTL": "1h", "Status": "critical"}]""");
        Instance never1 = instance("never", "never-1");

        long started = System.nanoTime();
        assertThat(registry.awaitPassing(never1, true, Duration.ofSeconds(2))).isFalse();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("awaitPassing(timeout 2s) on a never-passing instance gave up after " + took.toMillis() + " ms");
        assertThat(took).isBetween(Duration.ofMillis(1900), Duration.ofMillis(3500));
    }

    @Test
    void parkingAnInstanceAlreadyInMaintenanceShowsTheParkedReasonAndNeverLetsItPass() throws Exception {
        registerService("parked", "parked-1", null);
        Instance parked1 = instance("parked", "parked-1");
        java.util.concurrent.atomic.AtomicBoolean everPassing = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);

        registry.maintenance(parked1, true, "baton: rolling out parked 2.0.0");
        Thread watcher = new Thread(() -> {
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (watching.get() && System.nanoTime() < until) {
                try {
                    if (!MAPPER.readTree(consul.get("v1/health/service/parked?passing=true")).isEmpty()) everPassing.set(true);
                } catch (Exception ignored) {
                    // the next read tells
                }
            }
        });
        watcher.start();
        registry.maintenance(parked1, true, "baton: parked: unhealthy (503) after: not healthy within 30s");
        watching.set(false);
        watcher.join(5000);

        JsonNode checks = MAPPER.readTree(consul.get("v1/agent/checks"));
        assertThat(checks.path("_service_maintenance:parked-1").path("Notes").asText())
                .isEqualTo("baton: parked: unhealthy (503) after: not healthy within 30s");
        assertThat(checks.has("baton-hold-parked-1")).as("the holding check is gone").isFalse();
        assertThat(everPassing.get()).as("passing at some moment while the reason changed").isFalse();
        registry.maintenance(parked1, false, null);
    }

    /**
     * Waits ask Consul only for the instances waited on (the whole list of a big service is re-read at every change),
     * and see what {@code ?passing} sees: a failing check of the node counts, as it does for the whole list.
     */
    @Test
    void awaitPassingAsksOnlyForTheInstancesWaitedOnAndCountsTheNodesChecks() throws Exception {
        for (int i = 1; i <= 3; i++) {
            registerService("few", "few-" + i, """
                    [{"CheckID": "few-%d-ttl", "Name": "heartbeat", "TTL": "1h", "Status": "passing"}]""".formatted(i));
        }
        List<okhttp3.HttpUrl> asked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        ConsulRegistry watched = new ConsulRegistry(new ConsulClient(new OkHttpClient.Builder().addInterceptor(chain -> {
            asked.add(chain.request().url());
            return chain.proceed(chain.request());
        }).build(), null), consul.url(), false);
        Instance few1 = instance("few", "few-1");
        Instance few3 = instance("few", "few-3");

        // few-1 never leaves while few-3's wait comes and goes beside it
        java.util.concurrent.CompletableFuture<Boolean> few1Leaves = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return watched.awaitPassing(few1, false, Duration.ofSeconds(3));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        consul.put("v1/agent/check/fail/few-3-ttl", "");
        assertThat(watched.awaitPassing(few3, false, Duration.ofSeconds(5))).isTrue();
        assertThat(few1Leaves.get(10, java.util.concurrent.TimeUnit.SECONDS)).isFalse();

        List<String> filters = asked.stream().filter(u -> u.encodedPath().equals("/v1/health/service/few"))
                .map(u -> u.queryParameter("filter")).toList();
        assertThat(filters).isNotEmpty().allMatch(f -> f != null && !f.contains("few-2"))
                .contains("Service.ID == \"few-1\"", "Service.ID == \"few-1\" or Service.ID == \"few-3\"");

        consul.put("v1/agent/check/register", """
                {"ID": "node-down", "Name": "node", "TTL": "1h", "Status": "critical"}""");
        try {
            assertThat(watched.awaitPassing(few1, false, Duration.ofSeconds(5))).as("the node's failing check counts").isTrue();
        } finally {
            consul.put("v1/agent/check/deregister/node-down", "");
        }
        assertThat(watched.awaitPassing(few1, true, Duration.ofSeconds(5))).isTrue();
    }

    private interface Acting {
        void run() throws Exception;
    }

    private static void registerService(String name, String id, String checksJson) throws Exception {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("ID", id, "Name", name, "Address", "127.0.0.9", "Port", 8080));
        if (checksJson != null) body.put("Checks", MAPPER.readValue(checksJson, List.class));
        consul.put("v1/agent/service/register", MAPPER.writeValueAsString(body));
    }

    private static String httpCheck(String id, String headers) {
        return """
                [{"CheckID": "%s", "Name": "http", "HTTP": "%sv1/status/leader", "Interval": "200ms", "Timeout": "1s"%s}]"""
                .formatted(id, consul.url(), headers == null ? "" : ", \"Header\": " + headers);
    }

    private static void awaitCheckRan(String checkId) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                MAPPER.readTree(consul.get("v1/agent/checks")).path(checkId).path("Output").asText().startsWith("HTTP GET"));
    }

    private static Instance instance(String service, String id) throws StepFailure {
        return registry.instances(service, null).stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
    }

    private static List<String> checkIds(Registration saved) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) saved.definition().getOrDefault("Checks", List.of());
        return checks.stream().map(c -> String.valueOf(c.get("CheckID"))).toList();
    }

    private static List<String> serviceIds() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        MAPPER.readTree(consul.get("v1/agent/services")).fieldNames().forEachRemaining(ids::add);
        return ids;
    }
}
