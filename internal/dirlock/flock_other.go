//go:build !unix

package dirlock

import (
	"os"
	"sync"
)

// Without flock(2) (Windows, Plan 9, wasm) the lock holds within this
// process only: two workers in one process are refused; two processes are
// not. pbxlink's supported platforms are unix.
var (
	mu   sync.Mutex
	held = map[string]bool{}
)

func lockFile(f *os.File) error {
	mu.Lock()
	defer mu.Unlock()
	if held[f.Name()] {
		return ErrLocked
	}
	held[f.Name()] = true
	return nil
}

func unlockFile(f *os.File) error {
	mu.Lock()
	defer mu.Unlock()
	delete(held, f.Name())
	return nil
}
