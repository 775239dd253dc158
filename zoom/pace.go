package zoom

import "time"

// LimiterConfig says what a limiter enforces. Zero values take the
// documented defaults.
type LimiterConfig struct {
	// Plan selects Zoom's published limits. Default PlanPro.
	Plan Plan
	// Limits overrides the plan's limit of some buckets (for a simulator
	// with custom limits, or a share of the quota left to other apps).
	Limits map[Bucket]Limit
	// Headroom is the share of the limit kept unused, so that timing jitter
	// between here and Zoom never puts Count+1 calls into one of Zoom's
	// one-second windows. Default 0.02 (calls go out at 98% of the limit).
	Headroom float64
	// MaxWait is the longest Wait sleeps for a bucket that Zoom paused
	// (Backoff): a pause that ends later makes Wait return a *PausedError at
	// once, so that no caller holds a worker slot through an account-wide
	// pause. Ordinary pacing is not affected. Default 5 s.
	MaxWait time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c LimiterConfig) WithDefaults() LimiterConfig {
	if c.Plan == "" {
		c.Plan = PlanPro
	}
	if c.Headroom <= 0 || c.Headroom >= 1 {
		c.Headroom = 0.02
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Limit is the limit that applies to a bucket: the override, else the
// plan's, else one call a second for a bucket nobody knows.
func (c LimiterConfig) Limit(b Bucket) Limit {
	lim, ok := c.Limits[b]
	if !ok {
		lim, ok = Limits(c.Plan, b)
	}
	if !ok || lim.Count <= 0 || lim.Per <= 0 {
		lim = Limit{Count: 1, Per: time.Second}
	}
	return lim
}

// Rule is how a limiter applies a bucket's limit.
type Rule struct {
	// Count calls at most within any Window (Per plus headroom).
	Count  int
	Window time.Duration
	// Interval is the pacing between calls: Window / Count.
	Interval time.Duration
}

// Rule returns the rule of a bucket. A daily bucket (category Daily) has
// the zero Rule: it is never paced, only paused.
func (c LimiterConfig) Rule(b Bucket) Rule {
	if b.Category == Daily {
		return Rule{}
	}
	c = c.WithDefaults()
	lim := c.Limit(b)
	w := time.Duration(float64(lim.Per) / (1 - c.Headroom))
	return Rule{Count: lim.Count, Window: w, Interval: w / time.Duration(lim.Count)}
}

// catchUp is how many intervals of delay Pace may make up with closer
// calls; the sliding window still bounds them.
const catchUp = 4

// Pace is the schedule of one bucket. Two rules decide when a call may go:
// calls are paced at Interval (a GCRA that lets a few calls catch up after a
// late wake-up, so that scheduling delays do not cost throughput), and, as a
// hard bound, a call goes only when fewer than Count calls went within the
// last Window, measured when each call was let go. So no window of Per,
// however aligned, holds more than Count calls, and slots are never handed
// out ahead of time: after a stall, calls resume at the rate instead of
// bursting. LocalLimiter keeps a Pace in memory; a fleet keeps it in shared
// storage and changes it with compare-and-swap.
type Pace struct {
	// TAT is the theoretical arrival time of the next call.
	TAT time.Time `json:"tat"`
	// Paused holds every call until then (Zoom's 429).
	Paused time.Time `json:"paused,omitzero"`
	// Sent are the times the last Count calls were let go, oldest first.
	Sent []time.Time `json:"sent,omitempty"`
}

// Take lets a call go at now when both rules allow it, recording it in p;
// otherwise it returns the time to look again. The zero Rule paces nothing:
// only a pause holds the call, and nothing is recorded.
func (p *Pace) Take(r Rule, now time.Time) (time.Time, bool) {
	if r.Count <= 0 {
		if now.Before(p.Paused) {
			return p.Paused, false
		}
		return now, true
	}
	at := p.TAT.Add(-catchUp * r.Interval)
	if at.Before(p.Paused) {
		at = p.Paused
	}
	if len(p.Sent) > r.Count {
		p.Sent = p.Sent[len(p.Sent)-r.Count:] // the limit was lowered
	}
	if len(p.Sent) == r.Count {
		if free := p.Sent[0].Add(r.Window); at.Before(free) {
			at = free
		}
	}
	if now.Before(at) {
		return at, false
	}
	if p.TAT.Before(now) {
		p.TAT = now
	}
	p.TAT = p.TAT.Add(r.Interval)
	if len(p.Sent) == r.Count {
		p.Sent = append(p.Sent[:0], p.Sent[1:]...)
	}
	p.Sent = append(p.Sent, now)
	return now, true
}

// Hold pauses the bucket until until; an earlier time never shortens a
// pause.
func (p *Pace) Hold(until time.Time) {
	if p.Paused.Before(until) {
		p.Paused = until
	}
}

// Heal caps a pause that lasts beyond PauseLimit(b, now), as a bad
// Retry-After stored by an older version would, and reports whether it did.
func (p *Pace) Heal(b Bucket, now time.Time) bool {
	if limit := PauseLimit(b, now); p.Paused.After(limit) {
		p.Paused = limit
		return true
	}
	return false
}

// PausedBeyond returns a *PausedError when the bucket is paused until later
// than maxWait from now, else nil.
func (p *Pace) PausedBeyond(b Bucket, now time.Time, maxWait time.Duration) error {
	if p.Paused.Sub(now) > maxWait {
		return &PausedError{Bucket: b, Until: p.Paused}
	}
	return nil
}
