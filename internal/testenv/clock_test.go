package testenv_test

import (
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
)

// TestClock: the clock reads its start until moved, Advance and Set move
// it, and it may be read and moved from many goroutines at once (-race).
func TestClock(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	c := testenv.NewClock(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now() = %v before any move, want %v", got, t0)
	}
	c.Advance(90 * time.Second)
	if got, want := c.Now(), t0.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("Now() = %v after Advance(90s), want %v", got, want)
	}
	later := t0.Add(24 * time.Hour)
	c.Set(later)
	if got := c.Now(); !got.Equal(later) {
		t.Fatalf("Now() = %v after Set, want %v", got, later)
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	if got, want := c.Now(), later.Add(800*time.Second); !got.Equal(want) {
		t.Fatalf("Now() = %v after 800 concurrent one-second moves, want %v", got, want)
	}
}
