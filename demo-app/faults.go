package main

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Set at build time for a release that misbehaves on purpose, e.g.
// -ldflags "-X main.buildFailRate=0.05 -X main.buildExtraLatency=200ms"; flags and env override them.
var (
	buildFailRate     = ""
	buildExtraLatency = ""
)

const maxExtraLatency = time.Minute

// faults makes every request but /healthz fail or slow down, so that a release can pass its health check
// while serving badly: what an analysis of real traffic must catch and a health check cannot.
type faults struct {
	failRate     float64       // share of requests answered 500, spread evenly (every 20th for 0.05)
	extraLatency time.Duration // added before every answer
	served       atomic.Uint64
}

func (f *faults) active() bool {
	return f != nil && (f.failRate > 0 || f.extraLatency > 0)
}

func (f *faults) wrap(next http.Handler) http.Handler {
	if !f.active() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		if f.extraLatency > 0 {
			timer := time.NewTimer(f.extraLatency)
			select {
			case <-timer.C:
			case <-r.Context().Done():
				timer.Stop()
				return
			}
		}
		if f.failNext() {
			writeText(w, http.StatusInternalServerError, "injected failure\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// failNext is true for exactly failRate of the requests, evenly spaced, so a test or benchmark sees the
// rate it asked for and not a random draw.
func (f *faults) failNext() bool {
	n := float64(f.served.Add(1))
	return math.Floor(n*f.failRate) > math.Floor((n-1)*f.failRate)
}

func parseFailRate(s string) (float64, error) {
	rate, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(rate) || rate < 0 || rate > 1 {
		return 0, fmt.Errorf("fail rate %q: want a fraction in [0, 1] like 0.05", s)
	}
	return rate, nil
}

func parseExtraLatency(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > maxExtraLatency {
		return 0, fmt.Errorf("extra latency %q: want a duration in [0, %s] like 200ms", s, maxExtraLatency)
	}
	return d, nil
}

// rateFlag and latencyFlag let flag.Var validate the fault knobs as they are parsed.
type rateFlag struct{ rate *float64 }

func (f rateFlag) String() string {
	if f.rate == nil {
		return "0"
	}
	return strconv.FormatFloat(*f.rate, 'g', -1, 64)
}

func (f rateFlag) Set(s string) error {
	rate, err := parseFailRate(s)
	if err == nil {
		*f.rate = rate
	}
	return err
}

type latencyFlag struct{ d *time.Duration }

func (f latencyFlag) String() string {
	if f.d == nil {
		return "0s"
	}
	return f.d.String()
}

func (f latencyFlag) Set(s string) error {
	d, err := parseExtraLatency(s)
	if err == nil {
		*f.d = d
	}
	return err
}
