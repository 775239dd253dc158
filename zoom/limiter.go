package zoom

import (
	"context"
	"sync"
	"time"
)

// Limiter decides when a call may go to Zoom. The client asks it before every
// call and tells it when Zoom answered 429 anyway. The in-process
// LocalLimiter serves one process; a fleet of replicas shares one
// implementation backed by NATS instead, without the client changing.
type Limiter interface {
	// Wait blocks until one call may be charged to bucket b, or ctx ends.
	Wait(ctx context.Context, b Bucket) error
	// Backoff records that Zoom refused calls of bucket b until the given
	// time: no call of b should be let through before it.
	Backoff(b Bucket, until time.Time)
}

// LocalLimiterConfig configures a LocalLimiter.
type LocalLimiterConfig struct {
	// Plan selects Zoom's published limits. Default PlanPro.
	Plan Plan
	// Limits overrides the plan's limit of some buckets (for a simulator
	// with custom limits, or a share of the quota left to other apps).
	Limits map[Bucket]Limit
	// Headroom is the share of the limit kept unused, so that timing jitter
	// between here and Zoom never puts Count+1 calls into one of Zoom's
	// one-second windows. Default 0.02 (calls go out at 98% of the limit).
	Headroom float64
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// LocalLimiter keeps every bucket under its limit with two rules. Calls
// are paced at the bucket's rate less Headroom (a GCRA that lets a few calls
// catch up after a late wake-up, so that scheduling delays do not cost
// throughput), and, as a hard bound, a call goes only when fewer than Count
// calls went in the last Per plus Headroom, measured when each call was let
// go. No one-second window, however aligned, holds more than Count calls,
// and the even pacing keeps a 429 unlikely when another app shares the
// account.
type LocalLimiter struct {
	cfg     LocalLimiterConfig
	mu      sync.Mutex
	buckets map[Bucket]*pace
}

// pace is one bucket's schedule.
type pace struct {
	// turn admits one waiter at a time, in arrival order, so that waiters
	// do not all wake for every slot.
	turn chan struct{}
	// tat is the GCRA's theoretical arrival time; pausedUntil comes from
	// Zoom's 429s.
	tat, pausedUntil time.Time
	// sent holds the times the last Count calls were let go (a ring).
	sent []time.Time
	next int
}

// catchUp is how many intervals of delay the pacing may make up with
// closer calls; the sliding window still bounds them.
const catchUp = 4

// NewLocalLimiter returns an in-process limiter for one plan.
func NewLocalLimiter(cfg LocalLimiterConfig) *LocalLimiter {
	if cfg.Plan == "" {
		cfg.Plan = PlanPro
	}
	if cfg.Headroom <= 0 || cfg.Headroom >= 1 {
		cfg.Headroom = 0.02
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &LocalLimiter{cfg: cfg, buckets: map[Bucket]*pace{}}
}

func (l *LocalLimiter) limit(b Bucket) Limit {
	lim, ok := l.cfg.Limits[b]
	if !ok {
		lim, ok = Limits(l.cfg.Plan, b)
	}
	if !ok || lim.Count <= 0 || lim.Per <= 0 {
		// An unknown bucket is charged like the slowest per-second one.
		lim = Limit{Count: 1, Per: time.Second}
	}
	return lim
}

// window is the span within which at most Count calls go.
func (l *LocalLimiter) window(b Bucket) time.Duration {
	return time.Duration(float64(l.limit(b).Per) / (1 - l.cfg.Headroom))
}

// Interval is the pacing between calls of a bucket.
func (l *LocalLimiter) Interval(b Bucket) time.Duration {
	return l.window(b) / time.Duration(l.limit(b).Count)
}

func (l *LocalLimiter) pace(b Bucket) *pace {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.buckets[b]
	if p == nil {
		p = &pace{turn: make(chan struct{}, 1), sent: make([]time.Time, 0, l.limit(b).Count)}
		l.buckets[b] = p
	}
	return p
}

// Wait blocks until a call of bucket b may go out, or ctx ends.
func (l *LocalLimiter) Wait(ctx context.Context, b Bucket) error {
	p := l.pace(b)
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.turn }()
	for {
		at, ok := l.take(b, p)
		if ok {
			return nil
		}
		if err := sleepUntil(ctx, at, l.cfg.Now()); err != nil {
			return err
		}
	}
}

// take lets a call of b go now if both rules allow it, and otherwise says
// when to look again.
func (l *LocalLimiter) take(b Bucket, p *pace) (time.Time, bool) {
	interval, window, count := l.Interval(b), l.window(b), l.limit(b).Count
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	at := p.tat.Add(-catchUp * interval)
	if at.Before(p.pausedUntil) {
		at = p.pausedUntil
	}
	if len(p.sent) == count {
		if free := p.sent[p.next].Add(window); at.Before(free) {
			at = free
		}
	}
	if now.Before(at) {
		return at, false
	}
	if p.tat.Before(now) {
		p.tat = now
	}
	p.tat = p.tat.Add(interval)
	if len(p.sent) < count {
		p.sent = append(p.sent, now)
	} else {
		p.sent[p.next] = now
		p.next = (p.next + 1) % count
	}
	return now, true
}

// Backoff holds the bucket until until.
func (l *LocalLimiter) Backoff(b Bucket, until time.Time) {
	p := l.pace(b)
	l.mu.Lock()
	if p.pausedUntil.Before(until) {
		p.pausedUntil = until
	}
	l.mu.Unlock()
}

func sleepUntil(ctx context.Context, at, now time.Time) error {
	d := at.Sub(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlimited is a Limiter that never waits, for a simulator without limits.
type Unlimited struct{}

// Wait returns at once.
func (Unlimited) Wait(ctx context.Context, _ Bucket) error { return ctx.Err() }

// Backoff does nothing.
func (Unlimited) Backoff(Bucket, time.Time) {}
