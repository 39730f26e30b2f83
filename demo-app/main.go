// Command demo-app is a small HTTP service that behaves like the services our
// users deploy: it drains gracefully on SIGTERM/SIGINT and hands its listening
// socket to a freshly started successor on SIGUSR2 (or SIGHUP, with
// -handoff-signal HUP).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Set at build time with -ldflags "-X main.version=... -X main.broken=true".
var (
	version = "dev"
	broken  = ""
)

func main() {
	os.Exit(run())
}

func run() int {
	pid := os.Getpid()
	log.SetPrefix(fmt.Sprintf("demo-app[%d] ", pid))
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	// Resolved now, relative to the original working directory.
	exe, exeErr := launchPath(os.Args[0])
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		log.Printf("invalid configuration: %v", err)
		return 2
	}

	// Subscribe before announcing readiness so an early signal is not fatal.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, cfg.handoffSignal)

	ln, inherited, takenFrom, err := openListener(cfg.listen, cfg.takeoverSocket)
	if err != nil {
		log.Printf("listen: %v", err)
		return 1
	}
	a := &app{version: version, broken: broken == "true", pid: pid,
		faults: &faults{failRate: cfg.failRate, extraLatency: cfg.extraLatency}, metrics: newMetrics()}
	sup := &supervisor{
		app:             a,
		ln:              ln,
		shutdownTimeout: cfg.shutdownTimeout,
		drainDelay:      cfg.drainDelay,
		handoffSignal:   cfg.handoffSignal,
		exe:             exe,
		exeErr:          exeErr,
		serveDone:       make(chan error, 1),
	}
	sup.srv = &http.Server{
		Handler:           a.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ConnState:         sup.conns.track,
	}
	go func() { sup.serveDone <- sup.srv.Serve(ln) }()

	log.Printf("started version=%s addr=%s inherited-listener=%t taken-over=%t broken=%t fail-rate=%g extra-latency=%s", version, ln.Addr(), inherited, takenFrom != nil, a.broken, cfg.failRate, cfg.extraLatency)
	if inherited && cfg.takeoverSocket != "" {
		// A hand-off successor under a supervisor: the app the supervisor starts next takes over from us.
		// Offered before we report ready, so it is there by the time our predecessor exits.
		done := make(chan struct{})
		if err := serveTakeover(cfg.takeoverSocket, ln, done); err != nil {
			log.Printf("take-over socket %s: %v", cfg.takeoverSocket, err)
		} else {
			sup.takenOver = done
		}
	}
	if err := announceReady(cfg.pidfile, pid); err != nil {
		log.Printf("announcing readiness: %v", err)
		sup.srv.Close()
		removePidfile(cfg.pidfile, pid)
		return 1
	}
	if takenFrom != nil {
		io.WriteString(takenFrom, readyMessage) // the successor we took over from drains now
		takenFrom.Close()
	}

	code := sup.run(sigs)
	removePidfile(cfg.pidfile, pid)
	log.Printf("exited code=%d", code)
	return code
}
