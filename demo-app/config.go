package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

type config struct {
	listen          string
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	pidfile         string
}

// parseConfig reads flags from args; each flag falls back to an environment
// variable, which in turn falls back to the built-in default.
func parseConfig(args []string, getenv func(string) string, usageOut io.Writer) (config, error) {
	cfg := config{listen: "127.0.0.1:8080", shutdownTimeout: 30 * time.Second}
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

	fs := flag.NewFlagSet("demo-app", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	fs.StringVar(&cfg.listen, "listen", cfg.listen, "address to listen on [env LISTEN]")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", cfg.shutdownTimeout, "bound for the graceful drain [env SHUTDOWN_TIMEOUT]")
	fs.DurationVar(&cfg.drainDelay, "drain-delay", cfg.drainDelay, "keep serving this long with /healthz at 503 before the drain [env DRAIN_DELAY]")
	fs.StringVar(&cfg.pidfile, "pidfile", cfg.pidfile, "write our pid here once ready [env PIDFILE]")
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
