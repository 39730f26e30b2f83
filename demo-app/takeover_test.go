package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestTakeoverAfterHandoff plays a single-pid supervisor (runit's runsv):
// the app it started hands off on SIGHUP and exits, the supervisor starts the
// app again, and that newcomer takes the listener over from the hand-off
// successor, which drains and exits. No request fails, and in the end the
// supervisor's own child serves the new release.
func TestTakeoverAfterHandoff(t *testing.T) {
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
	sock := filepath.Join(root, "takeover.sock")
	first := startApp(t, filepath.Join(current, "demo-app"), "-handoff-signal", "HUP", "-takeover-socket", sock)
	base := "http://" + first.addr
	load := startLoad(base + "/")
	time.Sleep(200 * time.Millisecond)

	if err := os.Remove(current); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("releases/v2", current); err != nil {
		t.Fatal(err)
	}
	first.signal(t, syscall.SIGHUP)
	// It exits once the successor serves and its own connections are done.
	if code := first.waitExit(t, 10*time.Second); code != 0 {
		t.Fatalf("first process exit code %d, want 0", code)
	}
	successor := first.readPid()
	if successor == 0 || successor == first.cmd.Process.Pid || gone(successor) {
		t.Fatalf("no live hand-off successor in the pidfile (holds %d)", successor)
	}
	t.Cleanup(func() { killDetached(successor) })

	// What the supervisor does when its child exited: start the app again, same command line.
	newcomer := exec.Command(filepath.Join(current, "demo-app"), "-listen", first.addr, "-pidfile", first.pidfile,
		"-handoff-signal", "HUP", "-takeover-socket", sock)
	logFile, err := os.Create(filepath.Join(root, "newcomer.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	newcomer.Stderr = logFile
	if err := newcomer.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { newcomer.Wait(); close(exited) }()
	t.Cleanup(func() { newcomer.Process.Kill(); <-exited })

	deadline := time.Now().Add(15 * time.Second)
	for first.readPid() != newcomer.Process.Pid || !gone(successor) {
		select {
		case <-exited:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("newcomer exited: %s", log)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("pidfile holds %d, successor %d gone=%t; newcomer %d never took over", first.readPid(), successor, gone(successor), newcomer.Process.Pid)
		}
	}
	if r := fetch(newClient(), base+"/version"); r.err != nil || r.body != "2.0.0\n" {
		t.Errorf("version after take-over: %+v", r)
	}
	time.Sleep(200 * time.Millisecond)
	total, failures := load.finish()
	if len(failures) > 0 {
		t.Errorf("%d of %d requests failed during hand-off and take-over, first: %s", len(failures), total, failures[0])
	}
	t.Logf("%d requests; supervised %d -> successor %d -> newcomer %d", total, first.cmd.Process.Pid, successor, newcomer.Process.Pid)
}

// TestNoTakeoverWithoutASuccessor: a stale socket file or none at all means a fresh listener.
func TestNoTakeoverWithoutASuccessor(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "takeover.sock")
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startApp(t, binV1, "-takeover-socket", sock)
	if r := fetch(newClient(), "http://"+p.addr+"/version"); r.err != nil || r.body != "1.0.0\n" {
		t.Errorf("version: %+v", r)
	}
}
