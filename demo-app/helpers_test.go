package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Binaries built once by TestMain for the end-to-end tests.
var (
	binV1     string // version 1.0.0
	binV2     string // version 2.0.0
	binBroken string // version 3.0.0, broken=true
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "demo-app-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	builds := []struct {
		out     *string
		version string
		broken  bool
	}{{&binV1, "1.0.0", false}, {&binV2, "2.0.0", false}, {&binBroken, "3.0.0", true}}
	for _, b := range builds {
		*b.out = filepath.Join(dir, b.version, "demo-app")
		if err := buildBinary(*b.out, b.version, b.broken); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

func buildBinary(out, version string, broken bool) error {
	ldflags := "-X main.version=" + version
	if broken {
		ldflags += " -X main.broken=true"
	}
	cmd := exec.Command("go", "build", "-ldflags", ldflags, "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", version, err, output)
	}
	return nil
}

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type appProc struct {
	cmd     *exec.Cmd
	addr    string
	pidfile string
	logPath string
	exited  chan struct{} // closed once cmd.Wait returned
}

// startApp runs bin listening on a fresh port and waits until it is ready.
// Its stderr goes to a file, not a pipe, so that Wait does not also wait for
// a successor that inherited it.
func startApp(t *testing.T, bin string, args ...string) *appProc {
	t.Helper()
	dir := t.TempDir()
	p := &appProc{
		addr:    freePort(t),
		pidfile: filepath.Join(dir, "app.pid"),
		logPath: filepath.Join(dir, "app.log"),
		exited:  make(chan struct{}),
	}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	args = append([]string{"-listen", p.addr, "-pidfile", p.pidfile}, args...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stderr = logFile
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("app log:\n%s", p.log())
		}
	})
	p.waitPid(t, func(pid int) bool { return pid == p.cmd.Process.Pid })
	return p
}

func (p *appProc) log() string {
	data, _ := os.ReadFile(p.logPath)
	return string(data)
}

func (p *appProc) readPid() int {
	data, err := os.ReadFile(p.pidfile)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

// waitPid polls the pidfile until ok accepts the pid in it.
func (p *appProc) waitPid(t *testing.T, ok func(int) bool) int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if pid := p.readPid(); pid != 0 && ok(pid) {
			return pid
		}
		select {
		case <-p.exited:
			t.Fatalf("process exited while waiting for its pidfile: %v", p.cmd.ProcessState)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("pidfile %s never got the expected pid (holds %d)", p.pidfile, p.readPid())
	return 0
}

func (p *appProc) waitLog(t *testing.T, substr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.log(), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("log never contained %q", substr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *appProc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// waitExit returns the exit code, failing the test after timeout.
func (p *appProc) waitExit(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		t.Fatalf("process did not exit within %v", timeout)
		return -1
	}
}

// newClient opens a new connection per request, so nothing depends on
// connections pooled from a process that has gone away.
func newClient() *http.Client {
	return &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}
}

type result struct {
	code int
	body string
	err  error
}

func fetch(c *http.Client, url string) result {
	resp, err := c.Get(url)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{code: resp.StatusCode, body: string(body), err: err}
}

func fetchAsync(c *http.Client, url string) <-chan result {
	ch := make(chan result, 1)
	go func() { ch <- fetch(c, url) }()
	return ch
}

func awaitResult(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("request did not finish")
		return result{}
	}
}

// killDetached stops a process that is not our child (a successor).
func killDetached(pid int) {
	syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if gone(pid) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// gone reports whether pid has exited; a zombie counts, as its reaper may
// not be quick (or may not exist in a container).
func gone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name.
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}
