package dev.baton.agentclient;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.plan.Durations;
import dev.baton.plan.Plan;
import dev.baton.rollout.Clock;
import dev.baton.rollout.HookResult;
import dev.baton.rollout.HostControl;
import dev.baton.rollout.Instance;
import dev.baton.rollout.RestartFailed;
import dev.baton.rollout.RestartOrder;
import dev.baton.rollout.RestartReport;
import dev.baton.rollout.StepFailure;
import dev.baton.wire.Excerpt;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Restarts an app through the Baton agent on its host: start the operation, then follow it until it ends.
 * Every request is bounded by the operation's own limit plus {@link #MARGIN} (status calls by
 * {@link #STATUS_CALL}), and every reply is read strictly by {@link AgentReply}.
 */
public final class AgentHostControl implements HostControl {
    /** Starting a restart and reading an operation's state are quick on a healthy agent. */
    static final Duration STATUS_CALL = Duration.ofSeconds(5);
    /** Time on top of a limit the agent enforces itself, for the reply to travel back. */
    static final Duration MARGIN = Duration.ofSeconds(10);
    /** Fetching and verifying a release: bounded by the agent's download timeouts, and by this. */
    static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(10);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Pattern OPERATION_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}");
    private static final Set<String> OPERATION_STATES = Set.of("RUNNING", "SUCCEEDED", "FAILED");

    private final AgentCall agentCall;
    private final String scheme;
    private final int port;
    private final String token;
    private final AgentCredentials credentials;
    private final Clock clock;

    public AgentHostControl(OkHttpClient http, String scheme, int port, String token, Clock clock) {
        this(http, scheme, port, new AgentCredentials(token, null), clock);
    }

    /** With TLS credentials the scheme is https whatever the plan says: a client certificate is never offered in clear. */
    public AgentHostControl(OkHttpClient http, String scheme, int port, AgentCredentials credentials, Clock clock) {
        this.agentCall = new AgentCall(credentials.client(http));
        this.scheme = credentials.scheme(scheme);
        this.port = port;
        this.token = credentials.token();
        this.credentials = credentials;
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
        Instant deadline = clock.now().plus(timeout);
        AgentReply started = call(post(agent, "v1/restarts", body), 202, statusBound(deadline));
        String id = started.text("id");
        if (!OPERATION_ID.matcher(id).matches()) {
            throw new StepFailure(started.source() + " sent a malformed reply: operation id " + Excerpt.quoted(id) + " is not a plain name");
        }

        HttpUrl operation = agent.newBuilder().addPathSegments("v1/operations").addPathSegment(id).build();
        while (true) {
            AgentReply op = call(authorized(operation).get(), 200, statusBound(deadline));
            String state = op.text("state");
            if (!OPERATION_STATES.contains(state)) {
                throw new StepFailure(op.source() + " sent a malformed reply: unknown operation state " + Excerpt.quoted(state));
            }
            switch (state) {
                case "SUCCEEDED" -> {
                    return report(op);
                }
                case "FAILED" -> {
                    RestartReport report = report(op);
                    String error = op.optionalText("error");
                    throw new RestartFailed("agent on " + host.address() + ": " + (error == null ? "failed" : Excerpt.firstLine(error))
                            + " [" + report.summary() + "]", switched(report) ? report.previousVersion() : null);
                }
                default -> {
                    if (!clock.now().isBefore(deadline)) {
                        throw new StepFailure("agent on " + host.address() + " did not finish restart " + id + " within "
                                + Durations.format(timeout));
                    }
                    clock.sleep(POLL);
                }
            }
        }
    }

    /** A status call gets {@link #STATUS_CALL}, or what is left of the operation's limit if less (at least one second). */
    private Duration statusBound(Instant deadline) {
        Duration left = Duration.between(clock.now(), deadline);
        if (left.compareTo(Duration.ofSeconds(1)) < 0) return Duration.ofSeconds(1);
        return left.compareTo(STATUS_CALL) < 0 ? left : STATUS_CALL;
    }

    /** Whether the failed operation got as far as switching releases. */
    private static boolean switched(RestartReport report) {
        return report.phases().stream().anyMatch(p -> p.name().equals("switch") && p.state().equals("SUCCEEDED"));
    }

    @Override
    public void prepare(Instance host, RestartOrder order) throws StepFailure {
        if (order.artifactUrl() == null) return;
        HttpUrl agent = agentUrl(host);
        Map<String, Object> body = Map.of("version", order.version(),
                "artifact", Map.of("url", order.artifactUrl(), "sha256", order.sha256()));
        call(post(agent, "v1/releases", body), 200, PREPARE_TIMEOUT);
    }

    @Override
    public HookResult runHook(Instance host, String name, Plan.Hook hook, Map<String, String> env) throws StepFailure {
        HttpUrl agent = agentUrl(host);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name.replace('_', '-'));
        body.put("command", hook.command());
        body.put("timeoutMs", hook.timeout().toMillis());
        body.put("env", env);
        AgentReply result = call(post(agent, "v1/hooks", body), 200, hook.timeout().plus(MARGIN));
        boolean timedOut = result.bool("timedOut");
        Long exitCode = result.optionalInteger("exitCode");
        if (exitCode == null && !timedOut) {
            throw new StepFailure(result.source() + " sent a malformed reply: \"exitCode\" is missing for a hook that did not time out");
        }
        String output = result.optionalText("output");
        return new HookResult(exitCode == null ? -1 : exitCode.intValue(), timedOut,
                Duration.ofMillis(result.integer("durationMs")), output == null ? "" : output);
    }

    @Override
    public boolean awaitQuiet(Instance host, Duration quietPeriod, Duration timeout) throws StepFailure {
        HttpUrl url = agentUrl(host).newBuilder().addPathSegments("v1/traffic/quiet")
                .addQueryParameter("quietMs", Long.toString(Math.max(10, quietPeriod.toMillis())))
                .addQueryParameter("timeoutMs", Long.toString(Math.max(1, timeout.toMillis())))
                .build();
        return call(authorized(url).get(), 200, timeout.plus(MARGIN)).bool("quiet");
    }

    private HttpUrl agentUrl(Instance host) throws StepFailure {
        HttpUrl url;
        try {
            url = new HttpUrl.Builder().scheme(scheme).host(host.address()).port(port).build();
        } catch (IllegalArgumentException e) {
            throw new StepFailure("cannot reach an agent at " + Excerpt.quoted(host.address()) + ":" + port + ": " + e.getMessage());
        }
        if (token != null && !credentials.mayCarryToken(url)) {
            throw new StepFailure("refusing to send the agent token in clear text to " + url.host() + ":" + port
                    + ": set up mutual TLS with the agents (baton ca) or use https");
        }
        return url;
    }

    private Request.Builder authorized(HttpUrl url) {
        Request.Builder request = new Request.Builder().url(url);
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private Request.Builder post(HttpUrl agent, String path, Object body) throws StepFailure {
        try {
            return authorized(agent.newBuilder().addPathSegments(path).build())
                    .post(RequestBody.create(MAPPER.writeValueAsBytes(body), JSON));
        } catch (IOException e) {
            throw new StepFailure("cannot encode the request to the agent: " + e.getMessage(), e);
        }
    }

    private AgentReply call(Request.Builder request, int expectedStatus, Duration bound) throws StepFailure {
        return agentCall.execute(request.build(), expectedStatus, bound);
    }

    private static RestartReport report(AgentReply op) throws StepFailure {
        List<RestartReport.Phase> phases = new ArrayList<>();
        for (AgentReply phase : op.objects("phases")) {
            Long took = phase.optionalInteger("durationMs");
            phases.add(new RestartReport.Phase(phase.text("name"), phase.text("state"),
                    Duration.ofMillis(took == null ? 0 : took), phase.optionalText("detail")));
        }
        return new RestartReport(op.optionalInteger("oldPid"), op.optionalInteger("newPid"), op.optionalText("previousVersion"), phases);
    }
}
