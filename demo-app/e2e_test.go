package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestDrainOnSIGTERM(t *testing.T) {
	// Shutdown closes the listener at once, so the drain delay is what makes
	// the 503 from /healthz observable.
	p := startApp(t, binV1, "-shutdown-timeout", "10s", "-drain-delay", "500ms")
	base := "http://" + p.addr
	c := newClient()
	slow := fetchAsync(c, base+"/work?ms=1500")
	time.Sleep(200 * time.Millisecond)
	p.signal(t, syscall.SIGTERM)

	deadline := time.Now().Add(2 * time.Second)
	for {
		r := fetch(c, base+"/healthz")
		if r.err == nil && r.code == http.StatusServiceUnavailable && r.body == "draining\n" {
			break
		}
		if r.err != nil || time.Now().After(deadline) {
			t.Fatalf("healthz never answered 503 draining, last: %+v", r)
		}
		time.Sleep(5 * time.Millisecond)
	}

	if r := awaitResult(t, slow); r.err != nil || r.code != 200 || r.body != "done 1.0.0\n" {
		t.Errorf("in-flight request: %+v", r)
	}
	if code := p.waitExit(t, 10*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if c, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
		c.Close()
		t.Error("connection accepted after exit")
	}
	if _, err := os.Stat(p.pidfile); !os.IsNotExist(err) {
		t.Errorf("pidfile not removed: %v", err)
	}
}

func TestDrainTimeout(t *testing.T) {
	p := startApp(t, binV1, "-shutdown-timeout", "300ms")
	slow := fetchAsync(newClient(), "http://"+p.addr+"/work?ms=5000")
	time.Sleep(200 * time.Millisecond)

	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	code := p.waitExit(t, 5*time.Second)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("exit took %v", elapsed)
	}
	if r := awaitResult(t, slow); r.err == nil && r.code == 200 {
		t.Errorf("request was not cut: %+v", r)
	}
}

func TestBrokenHealthz(t *testing.T) {
	p := startApp(t, binBroken)
	c := newClient()
	if r := fetch(c, "http://"+p.addr+"/healthz"); r.err != nil || r.code != 503 || r.body != "broken\n" {
		t.Errorf("healthz: %+v", r)
	}
	if r := fetch(c, "http://"+p.addr+"/version"); r.err != nil || r.code != 200 || r.body != "3.0.0\n" {
		t.Errorf("version: %+v", r)
	}
}

// loadClient sends requests back to back, each on a new connection, and
// counts the ones that fail.
type loadClient struct {
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	total    int
	failures []string
}

func startLoad(url string) *loadClient {
	l := &loadClient{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		c := newClient()
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; i < 20000 && time.Now().Before(deadline); i++ {
			select {
			case <-l.stop:
				return
			default:
			}
			r := fetch(c, url)
			l.mu.Lock()
			l.total++
			if r.err != nil || r.code != 200 {
				l.failures = append(l.failures, fmt.Sprintf("code=%d err=%v", r.code, r.err))
			}
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *loadClient) finish() (total int, failures []string) {
	close(l.stop)
	<-l.done
	return l.total, l.failures
}

func TestHotHandoff(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		sig  os.Signal
	}{
		{"SIGUSR2 by default", nil, syscall.SIGUSR2},
		{"SIGHUP with -handoff-signal HUP", []string{"-handoff-signal", "HUP"}, syscall.SIGHUP},
	} {
		t.Run(tc.name, func(t *testing.T) { testHotHandoff(t, tc.args, tc.sig) })
	}
}

func testHotHandoff(t *testing.T, args []string, sig os.Signal) {
	root := t.TempDir()
	for _, rel := range []struct{ dir, bin string }{{"v1", binV1}, {"v2", binV2}} {
		if err := os.MkdirAll(filepath.Join(root, "releases", rel.dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(rel.bin, filepath.Join(root, "releases", rel.dir, "demo-app")); err != nil {
			t.Fatal(err)
		}
	}
	current := filepath.Join(root, "current")
	if err := os.Symlink("releases/v1", current); err != nil {
		t.Fatal(err)
	}

	p := startApp(t, filepath.Join(current, "demo-app"), args...)
	oldPid := p.cmd.Process.Pid
	base := "http://" + p.addr

	load := startLoad(base + "/")
	time.Sleep(200 * time.Millisecond)
	slow := fetchAsync(newClient(), base+"/work?ms=1500")
	time.Sleep(200 * time.Millisecond)

	tmpLink := current + ".tmp"
	if err := os.Symlink("releases/v2", tmpLink); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmpLink, current); err != nil {
		t.Fatal(err)
	}
	p.signal(t, sig)

	newPid := p.waitPid(t, func(pid int) bool { return pid != oldPid })
	t.Cleanup(func() { killDetached(newPid) })

	if code := p.waitExit(t, 10*time.Second); code != 0 {
		t.Errorf("old process exit code %d, want 0", code)
	}
	if r := awaitResult(t, slow); r.err != nil || r.code != 200 || r.body != "done 1.0.0\n" {
		t.Errorf("in-flight request: %+v", r)
	}
	if r := fetch(newClient(), base+"/version"); r.err != nil || r.body != "2.0.0\n" {
		t.Errorf("version after hand-off: %+v", r)
	}
	time.Sleep(200 * time.Millisecond)

	total, failures := load.finish()
	if len(failures) > 0 {
		t.Errorf("%d of %d requests failed during hand-off, first: %s", len(failures), total, failures[0])
	}
	if total < 100 {
		t.Errorf("only %d requests sent during hand-off", total)
	}
	t.Logf("%d requests during hand-off, old pid %d, new pid %d", total, oldPid, newPid)
}
