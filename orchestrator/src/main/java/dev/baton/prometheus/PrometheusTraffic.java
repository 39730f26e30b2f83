package dev.baton.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.plan.Plan;
import dev.baton.rollout.StepFailure;
import dev.baton.rollout.TrafficSample;
import dev.baton.rollout.TrafficSource;
import dev.baton.store.Json;
import dev.baton.wire.BoundedBody;
import dev.baton.wire.Excerpt;
import okhttp3.HttpUrl;
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
 * The instances' traffic from Prometheus: the plan's instant queries over {@code /api/v1/query}, each a vector with one
 * sample per {@code instance} label ("address:port"). Strict: an answer that is not a successful vector of such
 * samples, or names an instance twice, is a failure, never zero traffic. An instance in the requests query is up.
 */
public final class PrometheusTraffic implements TrafficSource {
    private static final long MAX_ANSWER = 4L * 1024 * 1024;

    private final OkHttpClient http;
    private final Plan.PrometheusQueries queries;

    public PrometheusTraffic(OkHttpClient http, Plan.PrometheusQueries queries) {
        this.http = http.newBuilder().callTimeout(Duration.ofSeconds(5)).build();
        this.queries = queries;
    }

    @Override
    public TrafficSample sample() throws StepFailure {
        Map<String, Double> requests = vector(queries.requests());
        Map<String, Double> failed = vector(queries.failed());
        Map<String, Double> p99 = queries.p99Ms() == null ? Map.of() : vector(queries.p99Ms());
        List<TrafficSample.Server> servers = new ArrayList<>();
        long totalRequests = 0;
        long totalFailed = 0;
        for (Map.Entry<String, Double> instance : requests.entrySet()) {
            String endpoint = instance.getKey();
            int colon = endpoint.lastIndexOf(':');
            if (colon <= 0 || !endpoint.substring(colon + 1).matches("\\d{1,5}")) {
                throw new StepFailure("Prometheus answered `" + queries.requests() + "` with instance " + Excerpt.quoted(endpoint)
                        + ", not address:port");
            }
            long count = counter(instance.getValue());
            long failures = counter(failed.getOrDefault(endpoint, 0.0));
            totalRequests += count;
            totalFailed += failures;
            servers.add(new TrafficSample.Server(endpoint, endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)),
                    new TrafficSample.Counters(count, failures), p99.getOrDefault(endpoint, Double.NaN), true));
        }
        return new TrafficSample(new TrafficSample.Counters(totalRequests, totalFailed), servers);
    }

    @Override
    public String latencyMeasure() {
        return queries.p99Ms() == null ? "none (no p99Ms query)" : "Prometheus: " + queries.p99Ms();
    }

    private static long counter(double value) {
        return Double.isFinite(value) && value > 0 ? Math.round(value) : 0;
    }

    /** instance label -> value of one instant query. */
    Map<String, Double> vector(String promql) throws StepFailure {
        HttpUrl url = HttpUrl.get(queries.url()).newBuilder().addPathSegments("api/v1/query").addQueryParameter("query", promql).build();
        String body;
        int code;
        try (Response response = http.newCall(new Request.Builder().url(url).get().build()).execute()) {
            code = response.code();
            body = response.body() == null ? "" : BoundedBody.read(response.body(), MAX_ANSWER);
        } catch (IOException e) {
            throw new StepFailure("Prometheus at " + queries.url() + " is unreachable: " + e.getMessage(), e);
        }
        return parse(promql, code, body);
    }

    static Map<String, Double> parse(String promql, int code, String body) throws StepFailure {
        String what = "Prometheus's answer to `" + promql + "`";
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new StepFailure(what + " (HTTP " + code + ") is not JSON: " + Excerpt.firstLine(body));
        }
        if (root == null || !"success".equals(root.path("status").asText()) || code != 200) {
            throw new StepFailure(what + " is an error (HTTP " + code + "): "
                    + Excerpt.quoted(root == null ? body : root.path("error").asText(body)));
        }
        JsonNode data = root.path("data");
        if (!"vector".equals(data.path("resultType").asText()) || !data.path("result").isArray()) {
            throw new StepFailure(what + " is not an instant vector (resultType " + Excerpt.quoted(data.path("resultType").asText()) + ")");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (JsonNode sample : data.path("result")) {
            JsonNode instance = sample.path("metric").path("instance");
            JsonNode value = sample.path("value");
            if (!instance.isTextual() || !value.isArray() || value.size() != 2 || !value.get(1).isTextual()) {
                throw new StepFailure(what + " has a sample without an instance label and a value: " + Excerpt.quoted(sample.toString()));
            }
            double number;
            try {
                number = Double.parseDouble(value.get(1).asText());
            } catch (NumberFormatException e) {
                throw new StepFailure(what + " has a value that is not a number: " + Excerpt.quoted(value.get(1).asText()));
            }
            if (out.put(instance.asText(), number) != null) {
                throw new StepFailure(what + " names instance " + Excerpt.quoted(instance.asText())
                        + " twice; aggregate it by instance (sum by (instance) (...))");
            }
        }
        return out;
    }
}
