package main

import (
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFailRateFailsExactlyThatShareWhileHealthzStaysOK(t *testing.T) {
	a := &app{version: "2.0.0-fail5", faults: &faults{failRate: 0.05}}
	failed := 0
	for i := 0; i < 1000; i++ {
		rec := get(t, a, "/")
		switch rec.Code {
		case 200:
		case 500:
			failed++
			if rec.Body.String() != "injected failure\n" {
				t.Fatalf("failed answer body %q", rec.Body.String())
			}
		default:
			t.Fatalf("GET /: status %d", rec.Code)
		}
		if rec := get(t, a, "/healthz"); rec.Code != 200 {
			t.Fatalf("GET /healthz: status %d, want 200 whatever the faults", rec.Code)
		}
	}
	if failed != 50 {
		t.Errorf("%d of 1000 requests failed, want 50", failed)
	}
}

func TestExtraLatencySlowsEveryRequestButHealthz(t *testing.T) {
	a := &app{version: "v", faults: &faults{extraLatency: 50 * time.Millisecond}}
	start := time.Now()
	if rec := get(t, a, "/version"); rec.Code != 200 {
		t.Fatalf("GET /version: status %d", rec.Code)
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("GET /version took %s, want at least 50ms", took)
	}
	start = time.Now()
	get(t, a, "/healthz")
	if took := time.Since(start); took > 40*time.Millisecond {
		t.Errorf("GET /healthz took %s, want no extra latency", took)
	}
}

func TestFaultKnobsFromBuildEnvAndFlags(t *testing.T) {
	defer func(rate, latency string) { buildFailRate, buildExtraLatency = rate, latency }(buildFailRate, buildExtraLatency)
	buildFailRate, buildExtraLatency = "0.01", "100ms"
	base := config{listen: "127.0.0.1:8080", shutdownTimeout: 30 * time.Second, handoffSignal: syscall.SIGUSR2}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		rate    float64
		latency time.Duration
	}{
		{"built into the release", nil, nil, 0.01, 100 * time.Millisecond},
		{"env overrides the build", nil, map[string]string{"FAIL_RATE": "0.05", "EXTRA_LATENCY": "200ms"}, 0.05, 200 * time.Millisecond},
		{"flags override env", []string{"-fail-rate", "0", "-extra-latency", "0s"}, map[string]string{"FAIL_RATE": "0.05"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, envFrom(tt.env), io.Discard)
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			want := base
			want.failRate, want.extraLatency = tt.rate, tt.latency
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestFaultKnobsRejectNonsense(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-fail-rate", "1.5"}, nil, `fail rate "1.5": want a fraction in [0, 1]`},
		{[]string{"-fail-rate", "NaN"}, nil, `fail rate "NaN"`},
		{[]string{"-extra-latency", "-1s"}, nil, `extra latency "-1s"`},
		{nil, map[string]string{"FAIL_RATE": "5%"}, `FAIL_RATE: fail rate "5%"`},
		{nil, map[string]string{"EXTRA_LATENCY": "2h"}, `EXTRA_LATENCY: extra latency "2h": want a duration in [0, 1m0s]`},
	} {
		_, err := parseConfig(tt.args, envFrom(tt.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: error %v, want it to contain %q", tt.args, tt.env, err, tt.want)
		}
	}
}
