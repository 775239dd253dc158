package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/zoom"
)

// Limiter is a zoom.Limiter whose schedule (a zoom.Pace per bucket) lives
// in a key-value bucket, so that every replica sharing the bucket draws on
// one quota. Each call let go is one compare-and-swap; losers of a race read
// again and retry. Through Admit (zoom.ArrivalLimiter), it also counts each
// call in Zoom's windows by when it may have arrived (limiter_arrival.go). Within one process, one waiter per bucket talks to NATS at
// a time.
type Limiter struct {
	kv  jetstream.KeyValue
	cfg zoom.LimiterConfig

	mu    sync.Mutex
	turns map[zoom.Bucket]chan struct{}
	trips map[zoom.Bucket]*trips
	// moves are the log entries to move that are not written yet, and
	// writing whether a writer for them runs (see queue).
	moves   map[zoom.Bucket][]move
	writing map[zoom.Bucket]bool

	// lead is the current reservation lead (see minLead), in nanoseconds.
	lead atomic.Int64
	// sleep waits until at, as seen from now; zoom.SleepUntil but for
	// tests that inject a late wake-up.
	sleep func(ctx context.Context, at, now time.Time) error
}

// NewLimiter returns a fleet limiter over kv.
func NewLimiter(kv jetstream.KeyValue, cfg zoom.LimiterConfig) *Limiter {
	l := &Limiter{kv: kv, cfg: cfg.WithDefaults(), turns: map[zoom.Bucket]chan struct{}{}, trips: map[zoom.Bucket]*trips{},
		moves: map[zoom.Bucket][]move{}, writing: map[zoom.Bucket]bool{}, sleep: zoom.SleepUntil}
	l.lead.Store(int64(minLead))
	return l
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

// minLead is how far ahead a call reserves its slot, at least. The
// compare-and-swap that takes a slot costs a NATS round trip whose length
// varies (a Raft write on a cluster); a call that went the moment its write
// was confirmed would go at a time the schedule never saw. Reserving the
// slot ahead and then sleeping until it makes calls go when the schedule
// says, as long as the write takes less than the lead. The lead follows
// the writes (twice the last slow one, up to maxLead), so that slow writes
// delay calls instead of stopping them, and is short while writes are
// fast: every call waits it out, twice per event that changes a user and
// a phone, and a worker's throughput is its concurrency over an event's
// time.
const (
	minLead = 20 * time.Millisecond
	maxLead = 250 * time.Millisecond
)

// Wait blocks until a call of bucket b may go out, or ctx ends. An error
// from NATS is returned: without the shared schedule no call may go.
//
// The schedule bounds the calls in any window by the times they were let
// go; Zoom counts them when they arrive. A call let go late (a write that
// took longer than the lead, a timer that fired late on a busy host) would
// arrive closer to the calls after it than the schedule allowed, and Count
// calls of a window plus one late call make Count+1 in one of Zoom's
// windows. So a call that wakes later than maxLate after its slot does not
// go: it gives its slot back and reserves another.
//
// Wait does not hear when the call arrives; the zoom client calls Admit
// instead, which does (see Admit).
func (l *Limiter) Wait(ctx context.Context, b zoom.Bucket) error {
	_, err := l.wait(ctx, b, l.cfg.Rule(b))
	return err
}

// wait is Wait, and returns the slot the call goes at.
func (l *Limiter) wait(ctx context.Context, b zoom.Bucket, rule zoom.Rule) (time.Time, error) {
	turn := l.turn(b)
	tolerance := l.maxLate(b, rule)
	var missed time.Time // a slot this call woke too late for
	for {
		slot, err := l.reserve(ctx, b, rule, turn, missed)
		if err != nil {
			return time.Time{}, err
		}
		if err := l.sleep(ctx, slot, l.cfg.Now()); err != nil {
			return time.Time{}, err
		}
		if tolerance < 0 || l.cfg.Now().Sub(slot) <= tolerance {
			return slot, nil
		}
		missed = slot
	}
}

// maxLate is how late after its slot a call may still go: half the margin
// that the headroom leaves between the schedule's window and Zoom's (the
// other half is for the time the request takes to reach Zoom), or -1 for
// a bucket without a window.
func (l *Limiter) maxLate(b zoom.Bucket, r zoom.Rule) time.Duration {
	if r.Count <= 0 {
		return -1
	}
	return max(0, r.Window-l.cfg.Limit(b).Per) / 2
}

// reserve takes the turn of bucket b in this process and reserves the
// next slot of the shared schedule, giving back missed (a slot reserved
// before whose call did not go) in the same write. It returns the slot.
func (l *Limiter) reserve(ctx context.Context, b zoom.Bucket, rule zoom.Rule, turn chan struct{}, missed time.Time) (time.Time, error) {
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	// The slot is ours when this returns: let the next waiter reserve the
	// one after while this call waits for its time.
	defer func() { <-turn }()
	for {
		lead := time.Duration(l.lead.Load())
		var wait, slot, asked time.Time
		var granted bool
		var paused error
		trips := l.tripsOf(b)
		moves := l.pendingMoves(b)
		err := l.update(ctx, b, func(p *schedule, now time.Time) bool {
			trips.heard(p.Trip)
			// Moves queued by calls answered since are carried along.
			changed := applyMoves(&p.Pace, rule, moves)
			changed = giveBack(&p.Pace, rule, missed, now) || changed
			// A pause beyond MaxWait is not slept through: the caller
			// hears at once until when (zoom.PausedError).
			if paused = p.PausedBeyond(b, now, l.cfg.MaxWait); paused != nil {
				return changed
			}
			asked, slot = now, now.Add(lead)
			sortSent(&p.Pace)
			wait, granted = p.Take(rule, slot)
			sortSent(&p.Pace)
			if granted {
				missed = time.Time{}
				p.Trip = trips.fold(p.Trip, now)
			}
			// A bucket without pacing (the daily one) records nothing.
			return granted && rule.Count > 0 || changed
		})
		if err != nil {
			return time.Time{}, fmt.Errorf("fleet rate limit: %w", err)
		}
		l.written(b, moves)
		if paused != nil {
			return time.Time{}, paused
		}
		if granted {
			l.adjustLead(l.cfg.Now().Sub(asked))
			return slot, nil
		}
		// Sleep at most a second: another replica's backoff may move the
		// schedule, and is seen on the next read.
		wait = wait.Add(-lead)
		if wait.Sub(l.cfg.Now()) > time.Second {
			wait = l.cfg.Now().Add(time.Second)
		}
		if err := l.sleep(ctx, wait, l.cfg.Now()); err != nil {
			return time.Time{}, err
		}
	}
}

// giveBack removes slot from the schedule, since its call did not go, and
// reports whether it was there: from the log of calls let go, and from
// the pacing, which then takes the next call one interval earlier (never
// before now).
func giveBack(p *zoom.Pace, r zoom.Rule, slot, now time.Time) bool {
	if slot.IsZero() {
		return false
	}
	n := len(p.Sent)
	p.Sent = slices.DeleteFunc(p.Sent, func(t time.Time) bool { return t.Equal(slot) })
	if len(p.Sent) == n {
		return false
	}
	if p.TAT.After(now) {
		p.TAT = latest(p.TAT.Add(-r.Interval), now)
	}
	return true
}

// latest is the later of a and b.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// adjustLead follows the time a reservation's write took: the lead rises
// at once to twice a slow write (at most maxLead) and comes back down to
// minLead gradually.
func (l *Limiter) adjustLead(took time.Duration) {
	lead := time.Duration(l.lead.Load())
	want := min(max(2*took, minLead), maxLead)
	if want < lead {
		want = lead - (lead-want)/8
	}
	l.lead.Store(int64(want))
}

// Backoff holds the bucket for the whole fleet until until, at most until
// zoom.PauseLimit. An error means the pause could not be stored.
func (l *Limiter) Backoff(ctx context.Context, b zoom.Bucket, until time.Time) error {
	err := l.update(ctx, b, func(p *schedule, now time.Time) bool {
		if limit := zoom.PauseLimit(b, now); until.After(limit) {
			until = limit
		}
		if !p.Paused.Before(until) {
			return false
		}
		p.Hold(until)
		return true
	})
	if err != nil {
		return fmt.Errorf("fleet rate limit: backoff %s: %w", b, err)
	}
	return nil
}

// update reads the bucket's schedule, lets change decide (true: write it), and
// writes it back with compare-and-swap, again on a conflict. When change
// declines, update returns nil and the caller reads what it set aside. A
// pause stored beyond zoom.PauseLimit (a bad Retry-After kept by an older
// version) is capped as it is read, and the capped value written back.
func (l *Limiter) update(ctx context.Context, b zoom.Bucket, change func(*schedule, time.Time) bool) error {
	key := rateKey(b)
	for {
		var p schedule
		var rev uint64
		e, err := l.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			rev = e.Revision()
			if err := json.Unmarshal(e.Value(), &p); err != nil {
				p = schedule{} // unreadable: start the schedule afresh
			}
		}
		now := l.cfg.Now()
		healed := p.Heal(b, now)
		if !change(&p, now) && !healed {
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
