//go:build !linux

package main

import (
	"errors"
	"os"
	"os/exec"
)

// dieWithTest is a no-op outside Linux: a test's time-out may leave child
// processes behind.
func dieWithTest(*exec.Cmd) {}

// openPTY is implemented on Linux only; elsewhere the test that needs a
// terminal skips.
func openPTY() (master, tty *os.File, err error) {
	return nil, nil, errors.New("no pseudo-terminal support on this system in the tests")
}
