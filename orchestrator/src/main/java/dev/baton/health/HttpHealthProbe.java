package dev.baton.health;

import dev.baton.plan.Plan;
import dev.baton.rollout.HealthProbe;
import dev.baton.rollout.Instance;
import dev.baton.wire.BoundedBody;
import dev.baton.wire.Bounds;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;

/**
 * Probes an instance over HTTP the way a client would: GET the health path, expect a status. Each try is
 * bounded by {@code health.http.timeout} as a whole (connect, write, read); a body match looks at the first
 * {@link #BODY_CAP} bytes only. Redirects are not followed: the probe judges the instance, not where it points.
 */
public final class HttpHealthProbe implements HealthProbe {
    static final long BODY_CAP = 64 * 1024;

    private final OkHttpClient http;
    private final Plan.Health health;

    public HttpHealthProbe(OkHttpClient http, Plan.Health health) {
        Duration bound = Bounds.finite(health.tryTimeout());
        this.http = http.newBuilder().callTimeout(bound).connectTimeout(bound).readTimeout(bound).writeTimeout(bound)
                .followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false).build();
        this.health = health;
    }

    @Override
    public Result check(Instance instance) {
        int port = health.port() == 0 ? instance.port() : health.port();
        HttpUrl url;
        try {
            url = new HttpUrl.Builder().scheme("http").host(instance.address()).port(port).encodedPath(health.path()).build();
        } catch (IllegalArgumentException e) {
            return new Result(false, "cannot probe " + instance.address() + ":" + port + health.path() + ": " + e.getMessage());
        }
        Request request = new Request.Builder().url(url).header("Connection", "close").get().build();
        try (Response response = http.newCall(request).execute()) {
            String what = "GET " + url.encodedPath() + " -> " + response.code();
            if (response.code() != health.expectStatus()) return new Result(false, what);
            if (health.bodyContains() == null) return new Result(true, what);
            String body = BoundedBody.prefix(response.body(), BODY_CAP);
            return body.contains(health.bodyContains()) ? new Result(true, what + " with \"" + health.bodyContains() + "\"")
                    : new Result(false, what + " but the first " + BODY_CAP / 1024 + " KiB of the body lack \""
                    + health.bodyContains() + "\"");
        } catch (IOException e) {
            return new Result(false, "GET " + url.encodedPath() + " failed: " + e.getMessage());
        }
    }
}
