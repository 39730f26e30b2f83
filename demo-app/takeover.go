package main

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"syscall"
	"time"
)

// Take-over lets a supervisor that watches a single pid (runit, supervisord)
// stay in charge across a hand-off. The successor started by the hand-off is
// not the supervisor's child, so once its predecessor exits the supervisor
// starts the app again; that newcomer connects to the successor's take-over
// socket, receives the listening socket over it (SCM_RIGHTS), serves, and
// says "ready"; the successor then drains and exits. The listening socket is
// never closed, and the supervisor ends up watching the process that serves.

const takeoverWait = 30 * time.Second

// takeOver returns the listener of a successor serving the take-over socket
// at path, and the connection to tell it we are ready on; a nil listener
// when nobody serves there.
func takeOver(path string) (net.Listener, *net.UnixConn, error) {
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return nil, nil, nil // nobody to take over from: listen afresh
	}
	uc := c.(*net.UnixConn)
	if err := uc.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		uc.Close()
		return nil, nil, err
	}
	oob := make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := uc.ReadMsgUnix(make([]byte, 1), oob)
	if err != nil {
		uc.Close()
		return nil, nil, fmt.Errorf("receiving the listener: %w", err)
	}
	fd, err := receivedFD(oob[:oobn])
	if err != nil {
		uc.Close()
		return nil, nil, err
	}
	f := os.NewFile(uintptr(fd), "taken-over-listener")
	defer f.Close() // FileListener holds its own duplicate
	ln, err := net.FileListener(f)
	if err != nil {
		uc.Close()
		return nil, nil, err
	}
	return ln, uc, nil
}

func receivedFD(oob []byte) (int, error) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return -1, err
	}
	if len(msgs) != 1 {
		return -1, errors.New("no listener received")
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil {
		return -1, err
	}
	if len(fds) != 1 {
		return -1, fmt.Errorf("%d descriptors received, want 1", len(fds))
	}
	return fds[0], nil
}

// serveTakeover offers ln at path until one newcomer took it and reported
// ready; then it closes done. A newcomer that fails leaves us serving.
func serveTakeover(path string, ln net.Listener, done chan<- struct{}) error {
	os.Remove(path) // left behind by a predecessor that was killed
	ul, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	go func() {
		defer ul.Close()
		for {
			c, err := ul.Accept()
			if err != nil {
				log.Printf("take-over socket: %v", err)
				return
			}
			err = handOver(c.(*net.UnixConn), ln)
			if err == nil {
				close(done)
				return
			}
			log.Printf("take-over failed, still serving: %v", err)
		}
	}()
	return nil
}

func handOver(c *net.UnixConn, ln net.Listener) error {
	defer c.Close()
	fd, err := dupListenerFD(ln)
	if err != nil {
		return err
	}
	_, _, err = c.WriteMsgUnix([]byte("L"), syscall.UnixRights(fd), nil)
	syscall.Close(fd)
	if err != nil {
		return err
	}
	if err := c.SetReadDeadline(time.Now().Add(takeoverWait)); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("newcomer did not report ready: %w", err)
	}
	if line != readyMessage {
		return fmt.Errorf("unexpected message %q from newcomer", line)
	}
	return nil
}
