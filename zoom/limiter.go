package zoom

import (
	"context"
	"sync"
	"time"
)

// Limiter decides when a call may go to Zoom. The client asks it before every
// call and tells it when Zoom answered 429 anyway. LocalLimiter serves one
// process; a fleet of replicas shares one limiter kept in NATS instead,
// without the client changing.
type Limiter interface {
	// Wait blocks until one call may be charged to bucket b, or ctx ends.
	// Pacing waits are slept through; a pause (Backoff) that ends more than
	// the limiter's MaxWait from now is not: Wait returns a *PausedError at
	// once (it matches ErrRateLimited; RetryAt gives its end).
	Wait(ctx context.Context, b Bucket) error
	// Backoff records that Zoom refused calls of bucket b until the given
	// time: no call of b should be let through before it. The pause is
	// capped at PauseLimit. An error means the pause could not be recorded
	// (a shared limiter's store failed).
	Backoff(ctx context.Context, b Bucket, until time.Time) error
}

// ArrivalLimiter is a Limiter that keeps Zoom's windows as Zoom counts
// them: by arrival. A schedule of departures cannot see the trip to Zoom;
// a call that left late in one second, or took longer than the calls
// after it, arrives closer to them than the schedule allowed. The client
// calls Admit instead of Wait when its Limiter has it, and answered once
// the call's answer (or its failure) has come back: the call arrived at
// Zoom between the two, and the limiter counts it in every window it may
// have arrived in.
type ArrivalLimiter interface {
	Limiter
	// Admit is Wait, and returns answered (never nil when err is nil),
	// to be called at most once, as soon as the call's answer (its
	// headers) or its failure is in; a call that never went out need
	// not call it. answered does not block on I/O: what it has to
	// store, the limiter stores on its own.
	Admit(ctx context.Context, b Bucket) (answered func(), err error)
}

// admit waits for bucket b on l, through Admit when l is an
// ArrivalLimiter. answered is never nil when err is nil.
func admit(ctx context.Context, l Limiter, b Bucket) (answered func(), err error) {
	if al, ok := l.(ArrivalLimiter); ok {
		return al.Admit(ctx, b)
	}
	return func() {}, l.Wait(ctx, b)
}

// LocalLimiter keeps every bucket under its limit in one process, with the
// rules of Pace.
type LocalLimiter struct {
	cfg     LimiterConfig
	mu      sync.Mutex
	buckets map[Bucket]*localPace
}

type localPace struct {
	// turn admits one waiter at a time, in arrival order, so that waiters
	// do not all wake for every slot.
	turn chan struct{}
	pace Pace
}

// NewLocalLimiter returns an in-process limiter.
func NewLocalLimiter(cfg LimiterConfig) *LocalLimiter {
	return &LocalLimiter{cfg: cfg.WithDefaults(), buckets: map[Bucket]*localPace{}}
}

// Interval is the pacing between calls of a bucket.
func (l *LocalLimiter) Interval(b Bucket) time.Duration { return l.cfg.Rule(b).Interval }

func (l *LocalLimiter) bucket(b Bucket) *localPace {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.buckets[b]
	if p == nil {
		p = &localPace{turn: make(chan struct{}, 1)}
		l.buckets[b] = p
	}
	return p
}

// Wait blocks until a call of bucket b may go out, or ctx ends.
func (l *LocalLimiter) Wait(ctx context.Context, b Bucket) error {
	p := l.bucket(b)
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.turn }()
	for {
		at, ok, err := l.take(b, p)
		if ok || err != nil {
			return err
		}
		if err := SleepUntil(ctx, at, l.cfg.Now()); err != nil {
			return err
		}
	}
}

// take lets a call go now, or says when to look again, or returns a
// *PausedError for a pause beyond MaxWait.
func (l *LocalLimiter) take(b Bucket, p *localPace) (time.Time, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	if err := p.pace.PausedBeyond(b, now, l.cfg.MaxWait); err != nil {
		return time.Time{}, false, err
	}
	at, ok := p.pace.Take(l.cfg.Rule(b), now)
	return at, ok, nil
}

// Backoff holds the bucket until until, at most until PauseLimit.
func (l *LocalLimiter) Backoff(_ context.Context, b Bucket, until time.Time) error {
	p := l.bucket(b)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	if limit := PauseLimit(b, now); until.After(limit) {
		until = limit
	}
	p.pace.Hold(until)
	return nil
}

// SleepUntil waits until at (as seen from now), or until ctx ends.
func SleepUntil(ctx context.Context, at, now time.Time) error {
	d := at.Sub(now)
	if d <= 0 {
		return ctx.Err()
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
func (Unlimited) Backoff(context.Context, Bucket, time.Time) error { return nil }
