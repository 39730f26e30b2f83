package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

type config struct {
	listen          string
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	pidfile         string
	handoffSignal   os.Signal // SIGUSR2 (grace) or SIGHUP (endless, tableflip, systemd's ExecReload)
	takeoverSocket  string    // see takeover.go; empty: no take-over
	failRate        float64   // see faults.go
	extraLatency    time.Duration
}

// parseHandoffSignal accepts USR2 or HUP, with or without the SIG prefix.
func parseHandoffSignal(s string) (os.Signal, error) {
	switch strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG") {
	case "USR2":
		return syscall.SIGUSR2, nil
	case "HUP":
		return syscall.SIGHUP, nil
	}
	return nil, fmt.Errorf("hand-off signal %q: want USR2 or HUP", s)
}

// signalFlag lets flag.Var parse a hand-off signal.
type signalFlag struct{ sig *os.Signal }

func (f signalFlag) String() string {
	if f.sig != nil && *f.sig == syscall.SIGHUP {
		return "HUP"
	}
	return "USR2"
}

func (f signalFlag) Set(s string) error {
	sig, err := parseHandoffSignal(s)
	if err != nil {
		return err
	}
	*f.sig = sig
	return nil
}

// parseConfig reads flags from args; each flag falls back to an environment
// variable, which in turn falls back to the built-in default.
func parseConfig(args []string, getenv func(string) string, usageOut io.Writer) (config, error) {
	cfg := config{listen: "127.0.0.1:8080", shutdownTimeout: 30 * time.Second, handoffSignal: syscall.SIGUSR2}
	if v := getenv("LISTEN"); v != "" {
		cfg.listen = v
	}
	if v := getenv("SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, fmt.Errorf("SHUTDOWN_TIMEOUT: %w", err)
		}
		cfg.shutdownTimeout = d
	}
	if v := getenv("DRAIN_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, fmt.Errorf("DRAIN_DELAY: %w", err)
		}
		cfg.drainDelay = d
	}
	if v := getenv("PIDFILE"); v != "" {
		cfg.pidfile = v
	}
	if v := getenv("TAKEOVER_SOCKET"); v != "" {
		cfg.takeoverSocket = v
	}
	// Baked into a release at build time, then the environment: the later one wins.
	for _, knob := range []struct{ source, value string }{{"built-in fail rate", buildFailRate}, {"FAIL_RATE", getenv("FAIL_RATE")}} {
		if knob.value == "" {
			continue
		}
		rate, err := parseFailRate(knob.value)
		if err != nil {
			return cfg, fmt.Errorf("%s: %w", knob.source, err)
		}
		cfg.failRate = rate
	}
	for _, knob := range []struct{ source, value string }{{"built-in extra latency", buildExtraLatency}, {"EXTRA_LATENCY", getenv("EXTRA_LATENCY")}} {
		if knob.value == "" {
			continue
		}
		d, err := parseExtraLatency(knob.value)
		if err != nil {
			return cfg, fmt.Errorf("%s: %w", knob.source, err)
		}
		cfg.extraLatency = d
	}
	if v := getenv("HANDOFF_SIGNAL"); v != "" {
		sig, err := parseHandoffSignal(v)
		if err != nil {
			return cfg, fmt.Errorf("HANDOFF_SIGNAL: %w", err)
		}
		cfg.handoffSignal = sig
	}

	fs := flag.NewFlagSet("demo-app", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	fs.StringVar(&cfg.listen, "listen", cfg.listen, "address to listen on [env LISTEN]")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", cfg.shutdownTimeout, "bound for the graceful drain [env SHUTDOWN_TIMEOUT]")
	fs.DurationVar(&cfg.drainDelay, "drain-delay", cfg.drainDelay, "keep serving this long with /healthz at 503 before the drain [env DRAIN_DELAY]")
	fs.StringVar(&cfg.pidfile, "pidfile", cfg.pidfile, "write our pid here once ready [env PIDFILE]")
	fs.StringVar(&cfg.takeoverSocket, "takeover-socket", cfg.takeoverSocket, "under runit or supervisord: a hand-off successor offers its listener here to the app the supervisor starts next [env TAKEOVER_SOCKET]")
	fs.Var(signalFlag{&cfg.handoffSignal}, "handoff-signal", "USR2 or HUP: hand the listener to a successor on this signal [env HANDOFF_SIGNAL]")
	fs.Var(rateFlag{&cfg.failRate}, "fail-rate", "answer this share of requests (all but /healthz) with 500, e.g. 0.05 [env FAIL_RATE]")
	fs.Var(latencyFlag{&cfg.extraLatency}, "extra-latency", "add this much latency to every request but /healthz, e.g. 200ms [env EXTRA_LATENCY]")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if cfg.shutdownTimeout <= 0 {
		return cfg, errors.New("shutdown timeout must be positive")
	}
	if cfg.drainDelay < 0 {
		return cfg, errors.New("drain delay must not be negative")
	}
	return cfg, nil
}
