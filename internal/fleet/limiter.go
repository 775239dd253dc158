package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/zoom"
)

// Limiter is a zoom.Limiter whose schedule (a zoom.Pace per bucket) lives
// in a key-value bucket, so that every replica sharing the bucket draws on
// one quota. Each call let go is one compare-and-swap; losers of a race read
// again and retry. Within one process, one waiter per bucket talks to NATS at
// a time.
type Limiter struct {
	kv  jetstream.KeyValue
	cfg zoom.LimiterConfig

	mu    sync.Mutex
	turns map[zoom.Bucket]chan struct{}
}

// NewLimiter returns a fleet limiter over kv.
func NewLimiter(kv jetstream.KeyValue, cfg zoom.LimiterConfig) *Limiter {
	return &Limiter{kv: kv, cfg: cfg.WithDefaults(), turns: map[zoom.Bucket]chan struct{}{}}
}

// rateKey is the bucket's key: rate.<family>.<category>.
func rateKey(b zoom.Bucket) string {
	return "rate." + string(b.Family) + "." + strings.ReplaceAll(string(b.Category), " ", "_")
}

func (l *Limiter) turn(b zoom.Bucket) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.turns[b]
	if t == nil {
		t = make(chan struct{}, 1)
		l.turns[b] = t
	}
	return t
}

// lead is how far ahead a call reserves its slot. The compare-and-swap
// that takes a slot costs a NATS round trip whose length varies (a Raft
// write on a cluster); a call that went the moment its write was confirmed
// would go at a time the schedule never saw. Reserving the slot lead ahead
// and then sleeping until it makes calls go when the schedule says, as long
// as the write takes less than lead.
const lead = 50 * time.Millisecond

// Wait blocks until a call of bucket b may go out, or ctx ends. An error
// from NATS is returned: without the shared schedule no call may go.
func (l *Limiter) Wait(ctx context.Context, b zoom.Bucket) error {
	turn := l.turn(b)
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	rule := l.cfg.Rule(b)
	for {
		var wait, slot time.Time
		var granted bool
		err := l.update(ctx, b, func(p *zoom.Pace, now time.Time) bool {
			slot = now.Add(lead)
			wait, granted = p.Take(rule, slot)
			return granted
		})
		if err != nil {
			<-turn
			return fmt.Errorf("fleet rate limit: %w", err)
		}
		if granted {
			// The slot is ours: let the next waiter reserve the one after
			// while this call waits for its time.
			<-turn
			return zoom.SleepUntil(ctx, slot, l.cfg.Now())
		}
		// Sleep at most a second: another replica's backoff may move the
		// schedule, and is seen on the next read.
		wait = wait.Add(-lead)
		if wait.Sub(l.cfg.Now()) > time.Second {
			wait = l.cfg.Now().Add(time.Second)
		}
		if err := zoom.SleepUntil(ctx, wait, l.cfg.Now()); err != nil {
			<-turn
			return err
		}
	}
}

// Backoff holds the bucket for the whole fleet until until.
func (l *Limiter) Backoff(b zoom.Bucket, until time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.update(ctx, b, func(p *zoom.Pace, _ time.Time) bool {
		if !p.Paused.Before(until) {
			return false
		}
		p.Hold(until)
		return true
	})
}

// update reads the bucket's pace, lets change decide (true: write it), and
// writes it back with compare-and-swap, again on a conflict. When change
// declines, update returns nil and the caller reads what it set aside.
func (l *Limiter) update(ctx context.Context, b zoom.Bucket, change func(*zoom.Pace, time.Time) bool) error {
	key := rateKey(b)
	for {
		var p zoom.Pace
		var rev uint64
		e, err := l.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			rev = e.Revision()
			if err := json.Unmarshal(e.Value(), &p); err != nil {
				p = zoom.Pace{} // unreadable: start the schedule afresh
			}
		}
		if !change(&p, l.cfg.Now()) {
			return nil
		}
		data, _ := json.Marshal(p)
		if rev == 0 {
			_, err = l.kv.Create(ctx, key, data)
		} else {
			_, err = l.kv.Update(ctx, key, data, rev)
		}
		if err == nil {
			return nil
		}
		if !broker.IsConflict(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
