package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// act is what becomes of an event whose Zoom change failed.
type act int

const (
	// actRetry: the event's own failure; count an attempt and try again
	// after the retry interval.
	actRetry act = iota
	// actDefer: waiting, not failing (a 429, a fleet pause, a lost claim,
	// NATS or the fleet store unavailable); no attempt is counted.
	actDefer
	// actPause: the account's failure (credentials refused, app
	// deactivated): pause the fleet's Zoom work and defer the event.
	actPause
	// actBury: dead-letter the event now.
	actBury
	// actHandBack: the worker is stopping; hand the event back at once.
	actHandBack
)

// decision is the outcome of a failure: what to do, after how long, and
// the attempts the event has used once it is made.
type decision struct {
	act      act
	after    time.Duration
	attempts int
	cause    error
}

// Deferral delays of failures that are not the event's.
const (
	// infraDelay: NATS or the fleet store did not answer.
	infraDelay = 5 * time.Second
	// claimDelay: the claim went to another replica.
	claimDelay = time.Second
)

// decide maps a failure to what becomes of the event. attempts is the
// event's failed attempts so far; only the event's own failures (a Zoom
// answer about this change, or no answer from Zoom) count one more.
func decide(err error, attempts int, cfg Config, now time.Time) decision {
	d := decision{attempts: attempts, cause: err}
	var wait *waitError
	switch {
	case errors.As(err, &wait):
		d.act, d.after = actDefer, max(wait.until.Sub(now), time.Second)
	case errors.Is(err, context.Canceled):
		d.act = actHandBack
	case errors.Is(err, errLostClaim):
		d.act, d.after = actDefer, claimDelay
	case errors.Is(err, zoom.ErrAccount):
		d.act, d.after = actPause, cfg.pauseDelay()
	case errors.Is(err, ErrUnknownExtension), errors.Is(err, errFeatureOff), errors.Is(err, zoom.ErrPermanent):
		d.act, d.attempts = actBury, attempts+1
	case isRateLimited(err):
		at, _ := zoom.RetryAt(err)
		d.act, d.after = actDefer, max(at.Sub(now), time.Second)
	case errors.Is(err, zoom.ErrRetryable):
		d.attempts = attempts + 1
		if d.attempts >= cfg.Retries {
			d.act, d.cause = actBury, fmt.Errorf("gave up after %d attempts: %w", d.attempts, err)
		} else {
			d.act, d.after = actRetry, cfg.RetryInterval
		}
	default:
		// Not Zoom's answer about this event: NATS, the fleet's shared
		// limiter or token store. Not the event's attempt.
		d.act, d.after = actDefer, infraDelay
	}
	return d
}

// pauseDelay is how long an event waits while the fleet's Zoom work is
// paused for an account-wide failure: half the probe interval, so that work
// resumes soon after a probe finds Zoom working again, between 1 and 15 s.
func (c Config) pauseDelay() time.Duration {
	return min(max(c.ProbeInterval/2, time.Second), 15*time.Second)
}

func isRateLimited(err error) bool {
	_, ok := zoom.RetryAt(err)
	return ok
}

// errBadTime: the event's time lies more than maxAhead after it was stored
// (a PMS clock error).
var errBadTime = fmt.Errorf("%w: time lies more than 24 h after the event was stored", schemas.ErrInvalidEvent)

// maxAhead is how far an event's time may lie after it was stored.
const maxAhead = 24 * time.Hour

// errInterrupted: the event's holders vanished maxAbandoned times.
var errInterrupted = errors.New("work on the event was interrupted too often (a worker crashed on it)")

// maxAbandoned dead-letters an event whose holder vanished (crashed) this
// many times while working on it: a poison event must not take the fleet
// down for ever.
const maxAbandoned = 5
