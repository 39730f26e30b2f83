package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The successor finds the inherited listener and the readiness pipe through
// these variables; with os/exec, ExtraFiles[i] becomes fd 3+i.
const (
	envListenFD  = "DEMO_LISTEN_FD"
	envReadyFD   = "DEMO_READY_FD"
	readyTimeout = 30 * time.Second
	readyMessage = "ready\n"
)

type handoffResult struct {
	proc *os.Process // the successor, which is serving; nil on failure
	err  error
}

// launchPath resolves the path we were started with, without following
// symlinks: the orchestrator repoints a "current" symlink at the new release
// before the hand-off signal, so the successor must be started through that path and not
// from os.Executable (the old binary).
func launchPath(arg0 string) (string, error) {
	if !strings.Contains(arg0, "/") {
		return exec.LookPath(arg0)
	}
	if filepath.IsAbs(arg0) {
		return arg0, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return filepath.Join(wd, arg0), nil
}

// openListener uses the socket inherited from a predecessor if there is one,
// else the one a hand-off successor offers on the take-over socket (then
// takenFrom is the connection to report readiness on), else a new one.
func openListener(addr, takeoverSocket string) (ln net.Listener, inherited bool, takenFrom *net.UnixConn, err error) {
	v := os.Getenv(envListenFD)
	if v == "" {
		if takeoverSocket != "" {
			ln, takenFrom, err = takeOver(takeoverSocket)
			if err != nil || ln != nil {
				return ln, false, takenFrom, err
			}
		}
		ln, err = net.Listen("tcp", addr)
		return ln, false, nil, err
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return nil, false, nil, fmt.Errorf("%s=%q: %w", envListenFD, v, err)
	}
	f := os.NewFile(uintptr(fd), "inherited-listener")
	defer f.Close() // FileListener holds its own duplicate
	ln, err = net.FileListener(f)
	return ln, true, nil, err
}

// announceReady writes the pidfile and, when started by a predecessor, tells
// it that we are serving.
func announceReady(pidfile string, pid int) error {
	if pidfile != "" {
		if err := writePidfile(pidfile, pid); err != nil {
			return fmt.Errorf("pidfile: %w", err)
		}
	}
	v := os.Getenv(envReadyFD)
	if v == "" {
		return nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", envReadyFD, v, err)
	}
	f := os.NewFile(uintptr(fd), "ready-pipe")
	defer f.Close()
	_, err = io.WriteString(f, readyMessage)
	return err
}

func (s *supervisor) handoff(ctx context.Context) handoffResult {
	if s.exeErr != nil {
		return handoffResult{err: fmt.Errorf("cannot locate own executable: %w", s.exeErr)}
	}
	log.Printf("%v: starting successor %s", s.handoffSignal, s.exe)
	proc, err := startSuccessor(ctx, s.exe, s.ln)
	return handoffResult{proc: proc, err: err}
}

// abandonHandoff stops a successor whose hand-off was overtaken by SIGTERM.
func abandonHandoff(res handoffResult) {
	if res.proc == nil {
		return
	}
	log.Printf("hand-off interrupted, terminating successor pid %d", res.proc.Pid)
	res.proc.Signal(syscall.SIGTERM)
}

// startSuccessor starts exe with our arguments and environment, passing the
// listening socket as fd 3 and a readiness pipe as fd 4, and waits until the
// successor reports that it serves. On failure the successor is killed.
func startSuccessor(ctx context.Context, exe string, ln net.Listener) (*os.Process, error) {
	lnFile, err := dupListener(ln)
	if err != nil {
		return nil, fmt.Errorf("duplicating listener: %w", err)
	}
	defer lnFile.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer readyR.Close()

	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = successorEnv(os.Environ())
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.ExtraFiles = []*os.File{lnFile, readyW}
	err = cmd.Start()
	readyW.Close() // so that we see EOF if the successor dies
	if err != nil {
		return nil, err
	}
	if err := awaitReady(ctx, readyR, readyTimeout); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("successor pid %d: %w", cmd.Process.Pid, err)
	}
	// Not waited for: the successor outlives us and is reparented when we exit.
	return cmd.Process, nil
}

// dupListener duplicates the listener's descriptor. (*net.TCPListener).File
// is avoided on purpose: os/exec calls Fd on such a file, which switches the
// shared socket to blocking mode and can leave our own Accept stuck in the
// kernel, stalling the drain. A nonblocking descriptor wrapped by os.NewFile
// keeps its mode.
func dupListener(ln net.Listener) (*os.File, error) {
	dup, err := dupListenerFD(ln)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(dup), "listener"), nil
}

// dupListenerFD returns a close-on-exec duplicate of the listener's descriptor.
func dupListenerFD(ln net.Listener) (int, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("listener %T has no file descriptor", ln)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	var dup int
	var dupErr error
	err = rc.Control(func(fd uintptr) {
		syscall.ForkLock.RLock() // keep the dup from leaking into concurrent forks
		defer syscall.ForkLock.RUnlock()
		if dup, dupErr = syscall.Dup(int(fd)); dupErr == nil {
			syscall.CloseOnExec(dup)
		}
	})
	if err == nil {
		err = dupErr
	}
	if err != nil {
		return -1, err
	}
	return dup, nil
}

func successorEnv(environ []string) []string {
	env := make([]string, 0, len(environ)+2)
	for _, kv := range environ {
		if strings.HasPrefix(kv, envListenFD+"=") || strings.HasPrefix(kv, envReadyFD+"=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, envListenFD+"=3", envReadyFD+"=4")
}

// awaitReady waits for the readiness message, the timeout or cancellation.
func awaitReady(ctx context.Context, r *os.File, timeout time.Duration) error {
	if err := r.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { r.SetReadDeadline(time.Now()) })
	defer stop()

	line, err := bufio.NewReader(r).ReadString('\n')
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("hand-off cancelled: %w", ctx.Err())
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("not ready within %v", timeout)
	case errors.Is(err, io.EOF):
		return errors.New("exited before becoming ready")
	case err != nil:
		return err
	case line != readyMessage:
		return fmt.Errorf("unexpected readiness message %q", line)
	}
	return nil
}
