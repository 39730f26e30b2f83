package main

import (
	"strings"
	"testing"
	"time"
)

func TestMetricsCountAnswersByCodeWithInjectedFailuresAndLatency(t *testing.T) {
	a := &app{version: "v", faults: &faults{failRate: 0.5, extraLatency: 120 * time.Millisecond}, metrics: newMetrics()}
	for i := 0; i < 4; i++ {
		get(t, a, "/version")
	}
	get(t, a, "/healthz")
	body := get(t, a, "/metrics").Body.String()
	for _, want := range []string{
		"# TYPE demo_http_requests_total counter\n",
		`demo_http_requests_total{code="200"} 2` + "\n",
		`demo_http_requests_total{code="500"} 2` + "\n",
		"# TYPE demo_http_request_duration_seconds histogram\n",
		`demo_http_request_duration_seconds_bucket{le="0.1"} 0` + "\n",
		`demo_http_request_duration_seconds_bucket{le="0.2"} 4` + "\n",
		`demo_http_request_duration_seconds_bucket{le="+Inf"} 4` + "\n",
		"demo_http_request_duration_seconds_count 4\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}
