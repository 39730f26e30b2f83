package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// supervisor reacts to signals: it drains the server or hands it off.
type supervisor struct {
	app             *app
	srv             *http.Server
	ln              net.Listener
	conns           connCounter
	serveDone       chan error // receives the result of srv.Serve
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	handoffSignal   os.Signal
	takenOver       <-chan struct{} // closed once a newcomer took our listener over (nil: never)
	exe             string          // path to start the successor from
	exeErr          error           // why exe could not be determined
}

// run handles signals until the process should exit and returns its code.
func (s *supervisor) run(sigs <-chan os.Signal) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pending chan handoffResult // non-nil while a hand-off is in progress

	for {
		select {
		case sig := <-sigs:
			if sig == s.handoffSignal {
				if pending != nil {
					log.Printf("%v ignored: hand-off already in progress", sig)
					continue
				}
				pending = make(chan handoffResult, 1)
				go func(out chan<- handoffResult) { out <- s.handoff(ctx) }(pending)
				continue
			}
			cancel()
			if pending != nil {
				abandonHandoff(<-pending)
			}
			return s.drain(fmt.Sprintf("received %v", sig))

		case res := <-pending:
			pending = nil
			if res.err != nil {
				log.Printf("hand-off failed, still serving: %v", res.err)
				continue
			}
			log.Printf("handed off to pid %d", res.proc.Pid)
			return s.drain("handed off")

		case <-s.takenOver:
			log.Print("listener taken over by the supervisor's new process")
			return s.drain("taken over")

		case err := <-s.serveDone:
			log.Printf("serve: %v", err)
			return 1
		}
	}
}

// drain marks us draining, stops accepting, lets every open connection
// finish within the shutdown timeout and returns the exit code: 0 if clean,
// 1 if requests were cut.
//
// http.Server.Shutdown is not used: requests whose headers are still being
// read when it starts get no response at all, which during a hand-off would
// lose connections we accepted just before the successor took over.
func (s *supervisor) drain(reason string) int {
	s.app.draining.Store(true)
	log.Printf("draining (%s), delay %v, timeout %v", reason, s.drainDelay, s.shutdownTimeout)
	// Closing the listener refuses new connections, so the 503 from /healthz
	// is only visible to new clients during this delay.
	time.Sleep(s.drainDelay)

	ctx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	s.srv.SetKeepAlivesEnabled(false) // closes idle connections, and busy ones after their response
	s.ln.Close()
	if err := s.waitConnsClosed(ctx); err != nil {
		log.Printf("drain incomplete (%v), closing %d remaining connections", err, s.conns.open())
		s.srv.Close()
		return 1
	}
	return 0
}

func (s *supervisor) waitConnsClosed(ctx context.Context) error {
	// Once Serve has returned, every connection it accepted has been counted.
	select {
	case <-s.serveDone:
	case <-ctx.Done():
		return ctx.Err()
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for s.conns.open() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// connCounter counts open connections through http.Server.ConnState.
type connCounter struct {
	n atomic.Int64
}

func (c *connCounter) track(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		c.n.Add(1)
	case http.StateClosed, http.StateHijacked:
		c.n.Add(-1)
	}
}

func (c *connCounter) open() int64 {
	return c.n.Load()
}
