package dev.baton.agentclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.plan.Plan;
import dev.baton.rollout.Clock;
import dev.baton.rollout.HookResult;
import dev.baton.rollout.RestartFailed;
import dev.baton.rollout.HostControl;
import dev.baton.rollout.Instance;
import dev.baton.rollout.RestartOrder;
import dev.baton.rollout.RestartReport;
import dev.baton.rollout.StepFailure;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Restarts an app through the Baton agent on its host: start the operation, then follow it until it ends. */
public final class AgentHostControl implements HostControl {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(100);

    private final OkHttpClient http;
    private final String scheme;
    private final int port;
    private final String token;
    private final Clock clock;

    public AgentHostControl(OkHttpClient http, String scheme, int port, String token, Clock clock) {
        this.http = http;
        this.scheme = scheme;
        this.port = port;
        this.token = token;
        this.clock = clock;
    }

    @Override
    public RestartReport restart(Instance host, RestartOrder order, Duration timeout) throws StepFailure, InterruptedException {
        HttpUrl agent = agentUrl(host);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", order.version());
        if (order.artifactUrl() != null) body.put("artifact", Map.of("url", order.artifactUrl(), "sha256", order.sha256()));
        body.put("strategy", order.strategy());
        body.put("drainTimeoutMs", order.drainTimeout().toMillis());
        body.put("readyTimeoutMs", order.readyTimeout().toMillis());
        JsonNode started = call(agent, post(agent.resolve("/v1/restarts"), body));
        String id = started.path("id").asText();

        Instant deadline = clock.now().plus(timeout);
        HttpUrl operation = agent.newBuilder().addPathSegments("v1/operations").addPathSegment(id).build();
        while (true) {
            JsonNode op = call(agent, new Request.Builder().url(operation).get());
            switch (op.path("state").asText()) {
                case "SUCCEEDED" -> {
                    return report(op);
                }
                case "FAILED" -> throw new RestartFailed("agent on " + host.address() + ": " + op.path("error").asText("failed")
                        + " [" + report(op).summary() + "]", switched(op) ? op.path("previousVersion").asText(null) : null);
                default -> {
                    if (!clock.now().isBefore(deadline)) {
                        throw new StepFailure("agent on " + host.address() + " did not finish restart " + id + " within "
                                + dev.baton.plan.Durations.format(timeout));
                    }
                    clock.sleep(POLL);
                }
            }
        }
    }

    /** Whether the failed operation got as far as switching releases. */
    private static boolean switched(JsonNode op) {
        for (JsonNode phase : op.path("phases")) {
            if (phase.path("name").asText().equals("switch") && phase.path("state").asText().equals("SUCCEEDED")) return true;
        }
        return false;
    }

    @Override
    public void prepare(Instance host, RestartOrder order) throws StepFailure {
        if (order.artifactUrl() == null) return;
        HttpUrl agent = agentUrl(host);
        Map<String, Object> body = Map.of("version", order.version(),
                "artifact", Map.of("url", order.artifactUrl(), "sha256", order.sha256()));
        OkHttpClient fetching = http.newBuilder().readTimeout(Duration.ofMinutes(10)).callTimeout(Duration.ofMinutes(10)).build();
        call(fetching, agent, post(agent.resolve("/v1/releases"), body));
    }

    @Override
    public HookResult runHook(Instance host, String name, Plan.Hook hook, Map<String, String> env) throws StepFailure {
        HttpUrl agent = agentUrl(host);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name.replace('_', '-'));
        body.put("command", hook.command());
        body.put("timeoutMs", hook.timeout().toMillis());
        body.put("env", env);
        OkHttpClient waiting = http.newBuilder().readTimeout(hook.timeout().plusSeconds(10))
                .callTimeout(hook.timeout().plusSeconds(10)).build();
        JsonNode result = call(waiting, agent, post(agent.resolve("/v1/hooks"), body));
        return new HookResult(result.path("exitCode").asInt(-1), result.path("timedOut").asBoolean(false),
                Duration.ofMillis(result.path("durationMs").asLong()), result.path("output").asText(""));
    }

    @Override
    public boolean awaitQuiet(Instance host, Duration quietPeriod, Duration timeout) throws StepFailure {
        HttpUrl agent = agentUrl(host);
        HttpUrl url = agent.newBuilder().addPathSegments("v1/traffic/quiet")
                .addQueryParameter("quietMs", Long.toString(Math.max(10, quietPeriod.toMillis())))
                .addQueryParameter("timeoutMs", Long.toString(Math.max(1, timeout.toMillis())))
                .build();
        OkHttpClient waiting = http.newBuilder().readTimeout(timeout.plusSeconds(10)).callTimeout(timeout.plusSeconds(10)).build();
        return call(waiting, agent, new Request.Builder().url(url).get()).path("quiet").asBoolean(false);
    }

    private HttpUrl agentUrl(Instance host) {
        return new HttpUrl.Builder().scheme(scheme).host(host.address()).port(port).build();
    }

    private Request.Builder post(HttpUrl url, Object body) throws StepFailure {
        try {
            return new Request.Builder().url(url).post(RequestBody.create(MAPPER.writeValueAsBytes(body), JSON));
        } catch (IOException e) {
            throw new StepFailure("cannot encode restart request: " + e.getMessage(), e);
        }
    }

    private JsonNode call(HttpUrl agent, Request.Builder request) throws StepFailure {
        return call(http, agent, request);
    }

    private JsonNode call(OkHttpClient client, HttpUrl agent, Request.Builder request) throws StepFailure {
        Request built = request.header("Authorization", "Bearer " + token).build();
        try (Response response = client.newCall(built).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            JsonNode json = text.isBlank() ? MAPPER.nullNode() : MAPPER.readTree(text);
            if (!response.isSuccessful()) {
                throw new StepFailure("agent at " + agent.host() + ":" + agent.port() + " answered " + response.code()
                        + ": " + json.path("error").asText(text.lines().findFirst().orElse("")));
            }
            return json;
        } catch (IOException e) {
            throw new StepFailure("agent at " + agent.host() + ":" + agent.port() + " is unreachable: " + e.getMessage(), e);
        }
    }

    private static RestartReport report(JsonNode op) {
        List<RestartReport.Phase> phases = new ArrayList<>();
        for (JsonNode phase : op.path("phases")) {
            phases.add(new RestartReport.Phase(phase.path("name").asText(), phase.path("state").asText(),
                    Duration.ofMillis(phase.path("durationMs").asLong()), phase.path("detail").asText(null)));
        }
        return new RestartReport(pid(op.path("oldPid")), pid(op.path("newPid")), op.path("previousVersion").asText(null), phases);
    }

    private static Long pid(JsonNode node) {
        return node.isNumber() ? node.asLong() : null;
    }
}
