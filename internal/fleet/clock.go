package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// clockKey is the key that replicas write to read the NATS server's time
// back from its entry.
const clockKey = "clock.probe"

// ClockConfig configures a Clock.
type ClockConfig struct {
	// Holder names this replica in the probe's value (for an operator
	// reading the bucket).
	Holder string
	// Interval is how often the offset is measured again. Default 30 s.
	Interval time.Duration
	// WarnAbove is the skew worth an operator's attention: OnSkew is
	// called once when the offset first exceeds it either way. Default
	// 250 ms.
	WarnAbove time.Duration
	// OnSkew, if set, is told of the first offset beyond WarnAbove (the
	// caller logs it; a library does not).
	OnSkew func(offset time.Duration)
	// Now is this replica's own clock. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c ClockConfig) WithDefaults() ClockConfig {
	if c.Interval <= 0 {
		c.Interval = 30 * time.Second
	}
	if c.WarnAbove <= 0 {
		c.WarnAbove = 250 * time.Millisecond
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Clock is the fleet's common time: this replica's clock corrected by its
// offset to the NATS server that stores the fleet bucket, measured from
// the server's timestamp on a key-value entry this replica just wrote
// (jetstream.KeyValueEntry.Created). The shared rate schedule and the
// token marker compare times written by different replicas; on their own
// clocks, a replica whose clock is behind would see the others' calls as
// older than they are and crowd Zoom's window. Every replica on the
// server's time sees one schedule, however its own clock is set; what is
// left is the measurement's error, at most half a NATS round trip.
type Clock struct {
	kv  jetstream.KeyValue
	cfg ClockConfig

	offset atomic.Int64 // server time minus this replica's, in nanoseconds
	// err is the measurement's error bound (half the best round trip),
	// in nanoseconds; 0 until the first measurement.
	err  atomic.Int64
	warn sync.Once
}

// NewClock returns a clock over the fleet bucket kv. It reads this
// replica's own time until Sync first succeeds.
func NewClock(kv jetstream.KeyValue, cfg ClockConfig) *Clock {
	return &Clock{kv: kv, cfg: cfg.WithDefaults()}
}

// Now is the fleet's time: the server's, as well as this replica can tell.
func (c *Clock) Now() time.Time {
	return c.cfg.Now().Add(time.Duration(c.offset.Load()))
}

// Offset is how far the server's clock is ahead of this replica's (negative:
// behind), and whether it has been measured.
func (c *Clock) Offset() (time.Duration, bool) {
	return time.Duration(c.offset.Load()), c.err.Load() > 0
}

// probes is how many round trips one Sync makes; the shortest is kept.
const probes = 5

// errProbeRaced: another replica wrote the probe key between this one's
// write and read.
var errProbeRaced = errors.New("another replica probed at the same time")

// Sync measures the offset again: it writes the probe key, reads the
// entry back, and takes the server's timestamp on it against the middle of
// the local times before and after the write, keeping the probe with the
// shortest round trip.
func (c *Clock) Sync(ctx context.Context) error {
	best, bestErr := time.Duration(0), time.Duration(-1)
	var last error
	for range probes {
		off, bound, err := c.probe(ctx)
		if err != nil {
			last = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if bestErr < 0 || bound < bestErr {
			best, bestErr = off, bound
		}
	}
	if bestErr < 0 {
		return fmt.Errorf("fleet clock: %w", last)
	}
	c.offset.Store(int64(best))
	c.err.Store(int64(max(bestErr, 1)))
	if best > c.cfg.WarnAbove || best < -c.cfg.WarnAbove {
		c.warn.Do(func() {
			if c.cfg.OnSkew != nil {
				c.cfg.OnSkew(best)
			}
		})
	}
	return nil
}

// probe makes one measurement: the offset and its error bound.
func (c *Clock) probe(ctx context.Context) (offset, bound time.Duration, err error) {
	before := c.cfg.Now()
	rev, err := c.kv.Put(ctx, clockKey, []byte(c.cfg.Holder+" "+before.UTC().Format(time.RFC3339Nano)))
	if err != nil {
		return 0, 0, err
	}
	after := c.cfg.Now()
	e, err := c.kv.Get(ctx, clockKey)
	if err != nil {
		return 0, 0, err
	}
	if e.Revision() != rev {
		return 0, 0, errProbeRaced
	}
	rtt := after.Sub(before)
	mid := before.Add(rtt / 2)
	return e.Created().Sub(mid), rtt / 2, nil
}

// Run measures the offset now and every Interval until ctx ends. A failed
// measurement keeps the last offset; errors are passed to onErr, if set.
func (c *Clock) Run(ctx context.Context, onErr func(error)) {
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		if err := c.Sync(ctx); err != nil && ctx.Err() == nil && onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
