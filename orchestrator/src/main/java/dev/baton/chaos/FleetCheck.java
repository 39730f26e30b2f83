package dev.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.fleet.LocalFleet;
import dev.baton.store.Json;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The promise, read from Consul itself: every instance of the fleet is registered and either passing, or in
 * maintenance with Baton's reason ({@code baton: parked: ...}). Anything else is a lost instance.
 */
public final class FleetCheck {
    public static final String PARKED_PREFIX = "baton: parked:";
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();

    /** One instance as Consul reports it: passing, parked (with the reason), or lost (with what is wrong). */
    public record InstanceState(String id, Kind kind, String detail) {
        public enum Kind { PASSING, PARKED, LOST }
    }

    private FleetCheck() {
    }

    public static Map<String, InstanceState> read(LocalFleet fleet) throws IOException {
        JsonNode entries;
        try (Response response = HTTP.newCall(new Request.Builder()
                .url(fleet.consulAddress() + "/v1/health/service/" + fleet.service()).get().build()).execute()) {
            if (!response.isSuccessful() || response.body() == null) throw new IOException("Consul answered " + response.code());
            entries = Json.MAPPER.readTree(response.body().string());
        }
        Map<String, InstanceState> states = new LinkedHashMap<>();
        for (LocalFleet.Host host : fleet.hosts()) {
            states.put(host.serviceId(), new InstanceState(host.serviceId(), InstanceState.Kind.LOST, "absent from Consul"));
        }
        for (JsonNode entry : entries) {
            String id = entry.path("Service").path("ID").asText();
            List<String> failing = new ArrayList<>();
            String maintenance = null;
            for (JsonNode check : entry.path("Checks")) {
                String status = check.path("Status").asText();
                if (check.path("CheckID").asText().startsWith("_service_maintenance")) maintenance = check.path("Notes").asText();
                else if (!status.equals("passing")) failing.add(check.path("CheckID").asText() + " " + status);
            }
            InstanceState state;
            if (maintenance != null && maintenance.startsWith(PARKED_PREFIX)) {
                state = new InstanceState(id, InstanceState.Kind.PARKED, maintenance);
            } else if (maintenance != null) {
                state = new InstanceState(id, InstanceState.Kind.LOST, "in maintenance without a parked reason: " + maintenance);
            } else if (failing.isEmpty()) {
                state = new InstanceState(id, InstanceState.Kind.PASSING, "passing");
            } else {
                state = new InstanceState(id, InstanceState.Kind.LOST, "not passing, not parked: " + String.join(", ", failing));
            }
            states.put(id, state);
        }
        return states;
    }

    /** Reads until no instance is lost or {@code within} has passed (Consul's checks need a moment to settle). */
    public static Map<String, InstanceState> settle(LocalFleet fleet, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Map<String, InstanceState> last = Map.of();
        while (true) {
            try {
                last = read(fleet);
                if (lost(last) == 0) return last;
            } catch (IOException e) {
                last = Map.of("consul", new InstanceState("consul", InstanceState.Kind.LOST, "Consul unreadable: " + e.getMessage()));
            }
            if (System.nanoTime() > deadline) return last;
            Thread.sleep(200);
        }
    }

    public static long lost(Map<String, InstanceState> states) {
        return states.values().stream().filter(s -> s.kind() == InstanceState.Kind.LOST).count();
    }
}
