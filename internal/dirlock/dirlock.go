// Package dirlock keeps two processes from using one data directory: two
// embedded JetStream servers writing one store would corrupt it.
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// FileName is the lock file, inside the directory.
const FileName = "pbxlink.lock"

// ErrLocked: another process holds the directory.
var ErrLocked = errors.New("the data directory is in use by another pbxlink process")

// Lock is a held directory lock.
type Lock struct {
	f    *os.File
	path string
}

// Acquire locks dir, which must exist, without waiting: ErrLocked (with the
// directory's path) when another process holds it. The lock ends with
// Release or with the process, however it ends.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	// The holder's process id, for an operator who wonders who holds it.
	_ = f.Truncate(0)
	_, _ = f.WriteAt(fmt.Appendf(nil, "%d\n", os.Getpid()), 0)
	return &Lock{f: f, path: path}, nil
}

// Release unlocks the directory. The lock file stays: removing it would
// let a third process lock a new file while a second still waits on the
// old one.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
