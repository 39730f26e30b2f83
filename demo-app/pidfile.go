package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// writePidfile replaces path atomically so readers never see a partial pid.
func writePidfile(path string, pid int) error {
	tmp := fmt.Sprintf("%s.%d.tmp", path, pid)
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// removePidfile deletes path only if it still names pid: after a hand-off it
// belongs to the successor.
func removePidfile(path string, pid int) {
	if path == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(data)) != strconv.Itoa(pid) {
		return
	}
	os.Remove(path)
}
