package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

const maxWorkMillis = 600000

type app struct {
	version  string
	broken   bool
	pid      int
	draining atomic.Bool
	faults   *faults
	metrics  *metrics
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.handleRoot)
	mux.HandleFunc("GET /version", a.handleVersion)
	mux.HandleFunc("GET /healthz", a.handleHealthz)
	mux.HandleFunc("GET /work", a.handleWork)
	if a.metrics == nil {
		return a.withVersionHeader(a.faults.wrap(mux))
	}
	mux.HandleFunc("GET /metrics", a.metrics.handle)
	// Outside the faults: an injected failure or delay is measured like a real one.
	return a.withVersionHeader(a.metrics.wrap(a.faults.wrap(mux)))
}

func (a *app) withVersionHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Version", a.version)
		next.ServeHTTP(w, r)
	})
}

func (a *app) handleRoot(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, fmt.Sprintf("hello from %s pid %d\n", a.version, a.pid))
}

func (a *app) handleVersion(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, a.version+"\n")
}

func (a *app) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	switch {
	case a.broken:
		writeText(w, http.StatusServiceUnavailable, "broken\n")
	case a.draining.Load():
		writeText(w, http.StatusServiceUnavailable, "draining\n")
	default:
		writeText(w, http.StatusOK, "ok\n")
	}
}

func (a *app) handleWork(w http.ResponseWriter, r *http.Request) {
	ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
	if err != nil || ms < 0 || ms > maxWorkMillis {
		writeText(w, http.StatusBadRequest, fmt.Sprintf("ms must be an integer in [0, %d]\n", maxWorkMillis))
		return
	}
	timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer timer.Stop()
	// Shutdown does not cancel request contexts, so a drain lets this finish;
	// only a client hang-up or a forced close after the drain timeout cuts it.
	select {
	case <-timer.C:
	case <-r.Context().Done():
		return
	}
	writeText(w, http.StatusOK, "done "+a.version+"\n")
}

func writeText(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, body)
}
