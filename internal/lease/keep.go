package lease

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/internal/broker"
)

// errNotHeld: Renew was asked to renew a lease this replica does not hold.
var errNotHeld = fmt.Errorf("%w: not held", ErrLost)

// Renew extends the held lease by a TTL. It writes only over this
// replica's own last revision, so its success proves that no other replica
// has taken the lease. It returns an error wrapping ErrLost when the lease
// is not held or another replica wrote the key (the hold is over), and
// another error when NATS could not be asked (the hold stands, unproven).
func (l *Lease) Renew(ctx context.Context) error {
	l.mu.Lock()
	err := l.renewLocked(ctx, l.cfg.Now())
	l.mu.Unlock()
	l.report(err)
	return err
}

func (l *Lease) renewLocked(ctx context.Context, now time.Time) error {
	if l.rev == 0 {
		return fmt.Errorf("%w: %s", errNotHeld, l.cfg.Key)
	}
	rev, err := l.cfg.KV.Update(ctx, l.cfg.Key, Record{Holder: l.cfg.Holder, Until: now.Add(l.cfg.TTL)}.encode(), l.rev)
	switch {
	case err == nil:
		l.rev, l.lastOK = rev, now
		return nil
	case broker.IsConflict(err):
		l.rev = 0
		return fmt.Errorf("%w: %s: another replica wrote it", ErrLost, l.cfg.Key)
	}
	return fmt.Errorf("lease %s: renew: %w", l.cfg.Key, err)
}

// Keep renews the held lease every RenewEvery until ctx ends (it then
// returns nil) or the hold is over: it returns an error wrapping ErrLost
// as soon as another replica wrote the key, or once no renewal has
// succeeded for TTL/2, so that the holder stops its work before any other
// replica may take over. A failed renewal is tried again after half
// RenewEvery. Run it beside the work, and stop the work when it returns.
func (l *Lease) Keep(ctx context.Context) error {
	t := time.NewTimer(l.cfg.RenewEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		left, err := l.left()
		if err != nil {
			l.report(err)
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, min(l.cfg.RenewEvery, left))
		err = l.Renew(rctx)
		cancel()
		wait := l.cfg.RenewEvery
		switch {
		case err == nil:
		case errors.Is(err, ErrLost):
			return err
		case ctx.Err() != nil:
			return nil
		default: // NATS did not answer: try again soon, while time is left
			left, err := l.left()
			if err != nil {
				l.report(err)
				return err
			}
			wait = min(l.cfg.RenewEvery/2, left)
		}
		t.Reset(wait)
	}
}

// left is how long the hold may go on without a successful renewal; at
// TTL/2 after the last one the hold is over, and left says so with an
// error wrapping ErrLost.
func (l *Lease) left() (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rev == 0 {
		return 0, fmt.Errorf("%w: %s", errNotHeld, l.cfg.Key)
	}
	since := l.cfg.Now().Sub(l.lastOK)
	if left := l.cfg.TTL/2 - since; left > 0 {
		return left, nil
	}
	l.rev = 0
	return 0, fmt.Errorf("%w: %s: no renewal for %v", ErrLost, l.cfg.Key, since.Round(time.Millisecond))
}
