package dev.baton.health;

import dev.baton.plan.Plan;
import dev.baton.rollout.HealthProbe;
import dev.baton.rollout.Instance;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;

/** Probes an instance over HTTP the way a client would: GET the health path, expect a status. */
public final class HttpHealthProbe implements HealthProbe {
    private final OkHttpClient http;
    private final Plan.Health health;

    public HttpHealthProbe(OkHttpClient http, Plan.Health health) {
        this.http = http.newBuilder().callTimeout(health.tryTimeout()).retryOnConnectionFailure(false).build();
        this.health = health;
    }

    @Override
    public Result check(Instance instance) {
        int port = health.port() == 0 ? instance.port() : health.port();
        HttpUrl url = new HttpUrl.Builder().scheme("http").host(instance.address()).port(port)
                .encodedPath(health.path()).build();
        Request request = new Request.Builder().url(url).header("Connection", "close").get().build();
        try (Response response = http.newCall(request).execute()) {
            String what = "GET " + url.encodedPath() + " -> " + response.code();
            if (response.code() != health.expectStatus()) return new Result(false, what);
            if (health.bodyContains() == null) return new Result(true, what);
            String body = response.body() == null ? "" : response.peekBody(64 * 1024).string();
            return body.contains(health.bodyContains()) ? new Result(true, what + " with \"" + health.bodyContains() + "\"")
                    : new Result(false, what + " but the body lacks \"" + health.bodyContains() + "\"");
        } catch (IOException e) {
            return new Result(false, "GET " + url.encodedPath() + " failed: " + e.getMessage());
        }
    }
}
