package main

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// latencyBuckets are the upper bounds (seconds) of the request duration histogram, fine enough around the
// 100 ms to 300 ms bounds an analysis gate checks a p99 against.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 2.5, 5, 10}

// metrics counts the requests the app answered (all but /healthz and /metrics) by status code, and their
// durations, in Prometheus' text format on /metrics: what a Prometheus-based analysis of a release reads.
type metrics struct {
	mu      sync.Mutex
	byCode  map[int]uint64
	buckets []uint64 // cumulative counts are computed when written
	count   uint64
	sumSecs float64
}

func newMetrics() *metrics {
	return &metrics{byCode: map[int]uint64{}, buckets: make([]uint64, len(latencyBuckets))}
}

func (m *metrics) observe(code int, took time.Duration) {
	secs := took.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byCode[code]++
	m.count++
	m.sumSecs += secs
	for i, bound := range latencyBuckets {
		if secs <= bound {
			m.buckets[i]++
			break
		}
	}
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (m *metrics) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		m.observe(rec.code, time.Since(start))
	})
}

func (m *metrics) handle(w http.ResponseWriter, _ *http.Request) {
	m.mu.Lock()
	codes := make([]int, 0, len(m.byCode))
	for code := range m.byCode {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	byCode := make(map[int]uint64, len(m.byCode))
	for code, n := range m.byCode {
		byCode[code] = n
	}
	buckets := append([]uint64(nil), m.buckets...)
	count, sum := m.count, m.sumSecs
	m.mu.Unlock()

	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	io.WriteString(w, "# HELP demo_http_requests_total Requests answered (all but /healthz and /metrics), by status code.\n")
	io.WriteString(w, "# TYPE demo_http_requests_total counter\n")
	for _, code := range codes {
		fmt.Fprintf(w, "demo_http_requests_total{code=\"%d\"} %d\n", code, byCode[code])
	}
	io.WriteString(w, "# HELP demo_http_request_duration_seconds How long answering took (all but /healthz and /metrics).\n")
	io.WriteString(w, "# TYPE demo_http_request_duration_seconds histogram\n")
	var cumulative uint64
	for i, bound := range latencyBuckets {
		cumulative += buckets[i]
		fmt.Fprintf(w, "demo_http_request_duration_seconds_bucket{le=\"%s\"} %d\n", strconv.FormatFloat(bound, 'g', -1, 64), cumulative)
	}
	fmt.Fprintf(w, "demo_http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", count)
	fmt.Fprintf(w, "demo_http_request_duration_seconds_sum %s\n", strconv.FormatFloat(sum, 'g', -1, 64))
	fmt.Fprintf(w, "demo_http_request_duration_seconds_count %d\n", count)
}
