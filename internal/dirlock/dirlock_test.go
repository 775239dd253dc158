package dirlock_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/pbxlink/pbxlink/internal/dirlock"
)

// TestSecondHolderRefused: while one holder has the directory a second is
// refused, naming it; after Release it may lock again.
func TestSecondHolderRefused(t *testing.T) {
	dir := t.TempDir()
	first, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = dirlock.Acquire(dir)
	if !errors.Is(err, dirlock.ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Acquire: %v, want ErrLocked naming %s", err, dir)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	again.Release()
}

// TestLockHeldAcrossProcesses: a child process cannot lock a directory this
// process holds.
func TestLockHeldAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("DIRLOCK_TEST_CHILD"); dir != "" {
		_, err := dirlock.Acquire(dir)
		if errors.Is(err, dirlock.ErrLocked) {
			os.Exit(3)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	l, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "-test.run=^TestLockHeldAcrossProcesses$")
	cmd.Env = append(os.Environ(), "DIRLOCK_TEST_CHILD="+dir)
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child: %v, want refused (exit 3)", err)
	}
}
