package dev.baton.prometheus;

import dev.baton.rollout.StepFailure;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The strict reading of /api/v1/query answers (shapes as Prometheus 2 sends them). */
class PrometheusTrafficTest {
    private static final String Q = "sum by (instance) (demo_http_requests_total)";

    @Test
    void readsOneValuePerInstance() throws StepFailure {
        String body = """
                {"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"instance":"127.0.0.1:8080"},"value":[1764400000.1,"1520"]},
                  {"metric":{"instance":"127.0.0.2:8080"},"value":[1764400000.1,"NaN"]}]}}
                """;
        Map<String, Double> vector = PrometheusTraffic.parse(Q, 200, body);
        assertThat(vector).containsEntry("127.0.0.1:8080", 1520.0).containsKey("127.0.0.2:8080");
        assertThat(vector.get("127.0.0.2:8080")).isNaN();
    }

    @Test
    void anEmptyVectorIsNoInstancesNotAnError() throws StepFailure {
        assertThat(PrometheusTraffic.parse(Q, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")).isEmpty();
    }

    @Test
    void anythingElseIsAFailure() {
        assertThatThrownBy(() -> PrometheusTraffic.parse(Q, 400,
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected <by>\"}"))
                .isInstanceOf(StepFailure.class)
                .hasMessage("Prometheus's answer to `" + Q + "` is an error (HTTP 400): \"1:5: parse error: unexpected <by>\"");
        assertThatThrownBy(() -> PrometheusTraffic.parse(Q, 200, "<html>proxy login</html>")).hasMessageContaining("is not JSON");
        assertThatThrownBy(() -> PrometheusTraffic.parse(Q, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}"))
                .hasMessageContaining("is not an instant vector (resultType \"matrix\")");
        assertThatThrownBy(() -> PrometheusTraffic.parse(Q, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"job\":\"web\"},\"value\":[1,\"3\"]}]}}")).hasMessageContaining("has a sample without an instance label");
        assertThatThrownBy(() -> PrometheusTraffic.parse(Q, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"instance\":\"a:1\",\"code\":\"200\"},\"value\":[1,\"3\"]},"
                + "{\"metric\":{\"instance\":\"a:1\",\"code\":\"500\"},\"value\":[1,\"1\"]}]}}"))
                .hasMessageContaining("names instance \"a:1\" twice; aggregate it by instance");
        assertThatThrownBy(() -> PrometheusTraffic.parse(Q, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"instance\":\"a:1\"},\"value\":[1,\"many\"]}]}}")).hasMessageContaining("not a number: \"many\"");
    }
}
