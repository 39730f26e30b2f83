package dev.baton.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.api.BatonServer;
import dev.baton.fleet.LocalFleet;
import dev.baton.rollout.DeployWindow;
import dev.baton.rollout.DeployWindows;
import dev.baton.server.Api;
import dev.baton.server.ServerHarness;
import dev.baton.store.ConsulKv;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scheduled rollouts through a real server on a real 3-host fleet, in real time (a few seconds each). */
class ScheduledRolloutTest {
    private static final Duration ROLLOUT = Duration.ofMinutes(2);
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();
    private static LocalFleet fleet;
    private static ServerHarness harness;

    @BeforeAll
    static void start() throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0");
        harness = new ServerHarness(fleet);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    private static String at(Instant when) {
        return "schedule: { at: \"" + when.truncatedTo(ChronoUnit.SECONDS) + "\", expires: 10m }\n";
    }

    private static JsonNode schedules(Api api) throws IOException {
        return api.get("/api/v1/schedules", harness.viewer).json().path("schedules");
    }

    private static JsonNode schedule(Api api, String id) throws IOException {
        for (JsonNode s : schedules(api)) if (s.path("id").asText().equals(id)) return s;
        throw new AssertionError("no schedule " + id + " in " + schedules(api));
    }

    private static String create(Api api, String plan) throws IOException {
        Api.Answer created = api.post("/api/v1/schedules", harness.deployer, plan, "application/yaml");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().path("id").asText();
    }

    /** The rollout a schedule started, once it did. */
    private static String startedBy(Api api, String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !schedule(api, id).path("lastRollout").isNull()
                && schedule(api, id).path("lastRollout").isTextual());
        try {
            return schedule(api, id).path("lastRollout").asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> events(JsonNode rollout) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : rollout.path("events")) {
            out.add((e.path("host").isTextual() ? e.path("host").asText() + " " : "") + e.path("step").asText() + " "
                    + e.path("outcome").asText() + " " + e.path("detail").asText());
        }
        return out;
    }

    @Test
    void aRolloutScheduledFiveSecondsAheadFiresThenAndSucceeds() throws Exception {
        try (BatonServer server = harness.start()) {
            Api api = new Api(server.url());
            // at is whole seconds: 4 to 5 s for creating and reading the schedule before it fires, also on a loaded machine
            Instant due = Instant.now().plusSeconds(5);
            String id = create(api, harness.plan("2.0.0", null) + at(due));

            JsonNode pending = schedule(api, id);
            assertThat(pending.path("status").asText()).isEqualTo("PENDING");
            assertThat(Instant.parse(pending.path("nextRun").asText())).isEqualTo(due.truncatedTo(ChronoUnit.SECONDS));
            assertThat(pending.path("window").path("open").asBoolean()).isTrue();

            String rollout = startedBy(api, id);
            JsonNode started = api.rollout(rollout, harness.viewer);
            assertThat(Instant.parse(started.path("startedAt").asText())).isAfterOrEqualTo(due.truncatedTo(ChronoUnit.SECONDS));
            double lag = api.get("/metrics", harness.viewer).text().lines().filter(l -> l.startsWith("baton_schedule_lag_seconds "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
            assertThat(lag).as("how late the firing started after its due time, in seconds").isPositive();
            System.out.printf("schedule: fired %.3f s after its due time%n", lag);
            await().atMost(ROLLOUT).until(() -> api.rollout(rollout, harness.viewer).path("status").asText().equals("SUCCEEDED"));
            JsonNode fired = schedule(api, id);
            assertThat(fired.path("status").asText()).isEqualTo("FIRED");
            assertThat(fired.path("lastResult").asText()).isEqualTo("started " + rollout);
        }
    }

    @Test
    void aRolloutScheduledIntoADenyWindowWaitsWithEveryHostInRotationUntilAnAdminOverridesIt() throws Exception {
        ZonedDateTime minute = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        String thisMinute = "0 %d %d %d %d ? %d".formatted(minute.getMinute(), minute.getHour(), minute.getDayOfMonth(),
                minute.getMonthValue(), minute.getYear());
        DeployWindows freeze = new DeployWindows(List.of(new DeployWindow(DeployWindow.Kind.DENY, "freeze", thisMinute,
                Duration.ofHours(1), ZoneId.of("UTC"))));
        try (BatonServer server = BatonServer.start(harness.config().withWindows(new ServiceWindows(DeployWindows.ALWAYS_OPEN,
                Map.of("web", freeze))))) {
            Api api = new Api(server.url());
            String id = create(api, harness.plan("3.0.0", null) + at(Instant.now().plusSeconds(2)));
            JsonNode pending = schedule(api, id);
            assertThat(pending.path("window").path("open").asBoolean()).isFalse();
            assertThat(pending.path("window").path("why").asText()).isEqualTo("inside deny window freeze");

            String rollout = startedBy(api, id);
            await().atMost(Duration.ofSeconds(30)).until(() -> events(api.rollout(rollout, harness.viewer)).stream()
                    .anyMatch(e -> e.startsWith("PAUSE STARTED outside the deploy windows (inside deny window freeze): waiting until "
                            + minute.plusHours(1).toInstant())));
            Thread.sleep(1500);
            JsonNode waiting = api.rollout(rollout, harness.viewer);
            assertThat(waiting.path("status").asText()).isNotIn("SUCCEEDED", "FAILED", "ABORTED");
            assertThat(events(waiting)).noneMatch(e -> e.contains(" LEAVE "));
            assertThat(waiting.path("actions").toString()).contains("override-window");

            Api.Answer denied = api.post("/api/v1/rollouts/" + rollout + "/override-window", harness.deployer, new byte[0], null);
            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.error()).isEqualTo("the deployer role may not override a deploy window (it needs admin)");
            Api.Answer overridden = api.post("/api/v1/rollouts/" + rollout + "/override-window", harness.admin, new byte[0], null);
            assertThat(overridden.status()).as(overridden.text()).isEqualTo(202);

            await().atMost(ROLLOUT).until(() -> api.rollout(rollout, harness.viewer).path("status").asText().equals("SUCCEEDED"));
            assertThat(events(api.rollout(rollout, harness.viewer))).contains("PAUSE OK deploy window overridden by an admin");
            JsonNode audit = api.get("/api/v1/audit", harness.admin).json().path("entries");
            assertThat(audit.toString()).contains("\"action\":\"override-window\",\"rollout\":\"" + rollout + "\",\"status\":202")
                    .contains("\"action\":\"override-window\",\"rollout\":\"" + rollout + "\",\"status\":403");
        }
    }

    @Test
    void schedulesAreValidatedWithOneLineAndOnlyDeployersMayCreateOrCancel() throws Exception {
        try (BatonServer server = harness.start()) {
            Api api = new Api(server.url());
            String plan = harness.plan("4.0.0", null);

            Api.Answer badCron = api.post("/api/v1/schedules", harness.deployer, plan + "schedule: { cron: \"every night\" }\n", "application/yaml");
            assertThat(badCron.status()).isEqualTo(400);
            assertThat(badCron.error()).startsWith("plan:").contains("schedule.cron: \"every night\" is not a Quartz cron expression").doesNotContain("\n");
            Api.Answer badZone = api.post("/api/v1/schedules", harness.deployer, plan + "schedule: { cron: \"0 0 2 * * ?\", zone: Mars/Base }\n", "application/yaml");
            assertThat(badZone.error()).contains("\"Mars/Base\" is not an IANA time zone");
            Api.Answer none = api.post("/api/v1/schedules", harness.deployer, plan, "application/yaml");
            assertThat(none.status()).isEqualTo(400);
            assertThat(none.error()).startsWith("plan: schedule: is required");
            Api.Answer now = api.post("/api/v1/rollouts", harness.deployer, plan + "schedule: { cron: \"0 0 2 * * ?\" }\n", "application/yaml");
            assertThat(now.status()).isEqualTo(400);
            assertThat(now.error()).contains("submit it with baton schedule create");
            Api.Answer viewer = api.post("/api/v1/schedules", harness.viewer, plan + "schedule: { cron: \"0 0 2 * * ?\" }\n", "application/yaml");
            assertThat(viewer.status()).isEqualTo(403);

            String nightly = create(api, plan + "schedule: { cron: \"0 0 2 * * ?\", zone: Europe/Berlin }\n");
            Instant next = Instant.parse(schedule(api, nightly).path("nextRun").asText());
            assertThat(next.atZone(ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(2);
            assertThat(Duration.between(Instant.now(), next)).isBetween(Duration.ZERO, Duration.ofHours(24));

            assertThat(delete(server, nightly, harness.viewer)).isEqualTo(403);
            assertThat(delete(server, nightly, harness.deployer)).isEqualTo(200);
            assertThat(schedule(api, nightly).path("status").asText()).isEqualTo("CANCELLED");
            assertThat(schedule(api, nightly).path("nextRun").isNull()).isTrue();
            assertThat(delete(server, nightly, harness.deployer)).isEqualTo(409);
        }
    }

    @Test
    void aPendingScheduleSurvivesARestartOfTheServer() throws Exception {
        String id;
        Instant next;
        try (BatonServer first = harness.start()) {
            Api api = new Api(first.url());
            id = create(api, harness.plan("5.0.0", null) + "schedule: { cron: \"0 30 3 * * ?\", zone: America/New_York }\n");
            next = Instant.parse(schedule(api, id).path("nextRun").asText());
        }
        try (BatonServer second = harness.start()) {
            Api api = new Api(second.url());
            assertThat(schedule(api, id).path("status").asText()).isEqualTo("PENDING");
            assertThat(Instant.parse(schedule(api, id).path("nextRun").asText())).isEqualTo(next);
            assertThat(delete(second, id, harness.deployer)).isEqualTo(200);
        }
    }

    /** Time that moves only when the test says so. */
    private static final class SetClock implements dev.baton.rollout.Clock {
        volatile Instant now;

        SetClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public void sleep(Duration duration) {
            now = now.plus(duration);
        }
    }

    @Test
    void aFiringLateAfterDowntimeNeverStartsIntoAClosedWindowButOnTimeOrIntoAnOpenOneItStarts() throws Exception {
        // deny every day 01:00-05:00 UTC; the clock is at 00:00 when the schedules are made
        DeployWindows night = new DeployWindows(List.of(new DeployWindow(DeployWindow.Kind.DENY, "night", "0 0 1 * * ?",
                Duration.ofHours(4), ZoneId.of("UTC"))));
        SetClock clock = new SetClock(Instant.parse("2031-03-01T00:00:00Z"));
        List<String> started = new ArrayList<>();
        ConsulKv kv = new ConsulKv(HTTP, HttpUrl.get(fleet.consulAddress()), null);
        RolloutScheduler scheduler = new RolloutScheduler(kv, new ServiceWindows(night, Map.of()), plan -> {
            started.add(plan.lines().filter(l -> l.startsWith("version:")).findFirst().orElseThrow());
            return "r-20310301-000" + started.size();
        }, clock);
        String plan = harness.plan("6.0.0", null);
        String nightly = scheduler.create(plan + "schedule: { cron: \"0 30 0 * * ?\" }\n", "test").id();
        String expiring = scheduler.create(plan.replace("version: 6.0.0", "version: 6.0.2")
                + "schedule: { at: \"2031-03-01T00:30:00Z\", expires: 2h }\n", "test").id();
        String movable = scheduler.create(plan.replace("version: 6.0.0", "version: 6.0.1")
                + "schedule: { at: \"2031-03-01T00:30:00Z\", expires: 6h }\n", "test").id();
        scheduler.start();
        try {
            // the server was down from 00:29 to 02:00: every firing comes late, inside the night freeze
            clock.now = Instant.parse("2031-03-01T02:00:00Z");
            scheduler.fire(nightly, Instant.parse("2031-03-01T00:30:00Z"));
            scheduler.fire(expiring, Instant.parse("2031-03-01T00:30:00Z"));
            scheduler.fire(movable, Instant.parse("2031-03-01T00:30:00Z"));
            assertThat(started).isEmpty();
            Map<String, ScheduleView> views = new java.util.HashMap<>();
            scheduler.list().forEach(v -> views.put(v.id(), v));
            assertThat(views.get(nightly).status()).isEqualTo(ScheduleRecord.Status.PENDING);
            assertThat(views.get(nightly).lastResult()).isEqualTo("skipped: late (90m) into a closed deploy window (inside deny window night)");
            assertThat(views.get(expiring).status()).isEqualTo(ScheduleRecord.Status.EXPIRED);
            assertThat(views.get(expiring).lastResult()).contains("until after its expiry 2031-03-01T02:30:00Z");
            assertThat(views.get(movable).status()).isEqualTo(ScheduleRecord.Status.PENDING);
            assertThat(views.get(movable).lastResult()).isEqualTo("moved to 2031-03-01T05:00:00Z: late (90m) into a closed deploy "
                    + "window (inside deny window night)");
            assertThat(views.get(movable).nextRun()).isEqualTo(Instant.parse("2031-03-01T05:00:00Z"));
            assertThat(views.get(nightly).window()).isEqualTo(new ScheduleView.Window(false, "inside deny window night",
                    Instant.parse("2031-03-01T05:00:00Z")));

            // the next night's firing on time starts, once: a second server firing the same occurrence does nothing
            clock.now = Instant.parse("2031-03-02T00:30:00Z");
            scheduler.fire(nightly, Instant.parse("2031-03-02T00:30:00Z"));
            scheduler.fire(nightly, Instant.parse("2031-03-02T00:30:00Z"));
            assertThat(started).containsExactly("version: 6.0.0");
            // the moved one starts once the freeze is over
            clock.now = Instant.parse("2031-03-01T05:00:01Z");
            scheduler.fire(movable, Instant.parse("2031-03-01T05:00:00Z"));
            assertThat(started).containsExactly("version: 6.0.0", "version: 6.0.1");
        } finally {
            scheduler.close();
            for (String id : List.of(nightly, expiring, movable)) kv.delete(ScheduleStore.PREFIX + id);
        }
    }

    private static int delete(BatonServer server, String id, String token) throws IOException {
        try (Response response = HTTP.newCall(new Request.Builder().url(server.url() + "/api/v1/schedules/" + id).delete()
                .header("Authorization", "Bearer " + token).build()).execute()) {
            return response.code();
        }
    }
}
