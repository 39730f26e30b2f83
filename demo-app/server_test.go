package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func get(t *testing.T, a *app, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	a.routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if got := rec.Header().Get("X-Version"); got != a.version {
		t.Errorf("GET %s: X-Version = %q, want %q", target, got, a.version)
	}
	return rec
}

func TestHandlers(t *testing.T) {
	a := &app{version: "1.2.3", pid: 42}
	tests := []struct {
		target string
		code   int
		body   string
	}{
		{"/", 200, "hello from 1.2.3 pid 42\n"},
		{"/version", 200, "1.2.3\n"},
		{"/healthz", 200, "ok\n"},
		{"/work?ms=0", 200, "done 1.2.3\n"},
		{"/work?ms=5", 200, "done 1.2.3\n"},
		{"/work", 400, ""},
		{"/work?ms=-1", 400, ""},
		{"/work?ms=600001", 400, ""},
		{"/work?ms=abc", 400, ""},
		{"/nope", 404, ""},
	}
	for _, tt := range tests {
		rec := get(t, a, tt.target)
		if rec.Code != tt.code {
			t.Errorf("GET %s: status %d, want %d", tt.target, rec.Code, tt.code)
		}
		if tt.body != "" && rec.Body.String() != tt.body {
			t.Errorf("GET %s: body %q, want %q", tt.target, rec.Body.String(), tt.body)
		}
		if tt.code == 200 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
			t.Errorf("GET %s: Content-Type %q", tt.target, rec.Header().Get("Content-Type"))
		}
	}
}

func TestHealthzStates(t *testing.T) {
	a := &app{version: "v"}
	a.draining.Store(true)
	if rec := get(t, a, "/healthz"); rec.Code != 503 || rec.Body.String() != "draining\n" {
		t.Errorf("draining: %d %q", rec.Code, rec.Body.String())
	}
	b := &app{version: "v", broken: true}
	if rec := get(t, b, "/healthz"); rec.Code != 503 || rec.Body.String() != "broken\n" {
		t.Errorf("broken: %d %q", rec.Code, rec.Body.String())
	}
}

func TestPidfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.pid")
	if err := writePidfile(path, 123); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "123\n" {
		t.Fatalf("pidfile holds %q", data)
	}
	removePidfile(path, 456) // not ours: must stay
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("foreign pidfile removed: %v", err)
	}
	removePidfile(path, 123)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("own pidfile not removed: %v", err)
	}
}

func TestLaunchPathKeepsSymlinks(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	got, err := launchPath("current/demo-app")
	if err != nil || got != filepath.Join(wd, "current/demo-app") {
		t.Errorf("relative: got %q, %v", got, err)
	}
	if got, _ := launchPath("/x/current/demo-app"); got != "/x/current/demo-app" {
		t.Errorf("absolute: got %q", got)
	}
}

func TestSuccessorEnv(t *testing.T) {
	got := successorEnv([]string{"A=1", "DEMO_LISTEN_FD=7", "DEMO_READY_FD=8", "B=2"})
	want := []string{"A=1", "B=2", "DEMO_LISTEN_FD=3", "DEMO_READY_FD=4"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}
