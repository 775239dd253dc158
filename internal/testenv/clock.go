package testenv

import (
	"sync"
	"time"
)

// Clock is a clock the test moves by hand, for the Now fields of the
// simulator, the Zoom client, the lease and the pollers: with one Clock
// shared by all of them, a test passes an hour in Zoom and in pbxlink at
// once, without sleeping. It is safe for concurrent use; the zero value
// is not (use NewClock).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock that reads t0 until it is moved.
func NewClock(t0 time.Time) *Clock { return &Clock{t: t0} }

// Now is the clock's time; pass the method value (c.Now) as a Now field.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
