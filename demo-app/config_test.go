package main

import (
	"io"
	"syscall"
	"testing"
	"time"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfigPrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{
			name: "defaults",
			want: config{listen: "127.0.0.1:8080", shutdownTimeout: 30 * time.Second, handoffSignal: syscall.SIGUSR2},
		},
		{
			name: "env overrides defaults",
			env:  map[string]string{"LISTEN": ":9000", "SHUTDOWN_TIMEOUT": "5s", "DRAIN_DELAY": "1s", "PIDFILE": "/run/env.pid", "HANDOFF_SIGNAL": "SIGHUP"},
			want: config{listen: ":9000", shutdownTimeout: 5 * time.Second, drainDelay: time.Second, pidfile: "/run/env.pid", handoffSignal: syscall.SIGHUP},
		},
		{
			name: "flags override env",
			args: []string{"-listen", ":9100", "-shutdown-timeout", "250ms", "-drain-delay", "0s", "-pidfile", "/run/flag.pid", "-handoff-signal", "USR2"},
			env:  map[string]string{"LISTEN": ":9000", "SHUTDOWN_TIMEOUT": "5s", "DRAIN_DELAY": "1s", "PIDFILE": "/run/env.pid", "HANDOFF_SIGNAL": "HUP"},
			want: config{listen: ":9100", shutdownTimeout: 250 * time.Millisecond, pidfile: "/run/flag.pid", handoffSignal: syscall.SIGUSR2},
		},
		{
			name: "flag overrides env for one field only",
			args: []string{"-listen", ":9100"},
			env:  map[string]string{"LISTEN": ":9000", "SHUTDOWN_TIMEOUT": "5s"},
			want: config{listen: ":9100", shutdownTimeout: 5 * time.Second, handoffSignal: syscall.SIGUSR2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, envFrom(tt.env), io.Discard)
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{name: "bad env duration", env: map[string]string{"SHUTDOWN_TIMEOUT": "soon"}},
		{name: "bad flag duration", args: []string{"-shutdown-timeout", "soon"}},
		{name: "non-positive timeout", args: []string{"-shutdown-timeout", "0s"}},
		{name: "negative drain delay", env: map[string]string{"DRAIN_DELAY": "-1s"}},
		{name: "hand-off signal other than USR2 or HUP", args: []string{"-handoff-signal", "USR1"}},
		{name: "bad env hand-off signal", env: map[string]string{"HANDOFF_SIGNAL": "TERM"}},
		{name: "unknown flag", args: []string{"-handoff", "USR2"}},
		{name: "positional argument", args: []string{"extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseConfig(tt.args, envFrom(tt.env), io.Discard); err == nil {
				t.Error("expected an error")
			}
		})
	}
}
