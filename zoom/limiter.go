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

// LocalLimiter spaces the calls of each bucket evenly at the bucket's rate
// (a GCRA with no burst): calls are at least Per/Count apart, so no
// one-second window, however it is aligned, holds more than Count of them.
// Even spacing, rather than bursts, also keeps a 429 from the shared account
// limit unlikely when another app makes a call.
type LocalLimiter struct {
	cfg LocalLimiterConfig
	mu  sync.Mutex
	// next is the earliest time the bucket's next call may go out.
	next map[Bucket]time.Time
}

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
	return &LocalLimiter{cfg: cfg, next: map[Bucket]time.Time{}}
}

// Interval is the spacing the limiter keeps between calls of a bucket.
func (l *LocalLimiter) Interval(b Bucket) time.Duration {
	lim, ok := l.cfg.Limits[b]
	if !ok {
		lim, ok = Limits(l.cfg.Plan, b)
	}
	if !ok || lim.Count <= 0 {
		// An unknown bucket is charged like the slowest per-second one.
		lim = Limit{Count: 1, Per: time.Second}
	}
	return time.Duration(float64(lim.Per) / float64(lim.Count) / (1 - l.cfg.Headroom))
}

// Wait reserves the bucket's next slot and sleeps until it. A caller whose
// context ends while waiting gives its slot up to nobody: the limiter errs on
// the side of fewer calls.
func (l *LocalLimiter) Wait(ctx context.Context, b Bucket) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	interval := l.Interval(b)
	l.mu.Lock()
	now := l.cfg.Now()
	at := l.next[b]
	if at.Before(now) {
		at = now
	}
	l.next[b] = at.Add(interval)
	l.mu.Unlock()
	return sleepUntil(ctx, at, now)
}

// Backoff pushes the bucket's next slot to until.
func (l *LocalLimiter) Backoff(b Bucket, until time.Time) {
	l.mu.Lock()
	if l.next[b].Before(until) {
		l.next[b] = until
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
