package lease

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// ErrLost is matched (errors.Is) by the error of a hold that ended other
// than by Release: another holder wrote the key, or no renewal succeeded
// for TTL/2.
var ErrLost = errors.New("lease lost")

// Lease is one replica's handle on one lease key. Its methods are safe for
// concurrent use.
type Lease struct {
	cfg Config

	mu     sync.Mutex
	rev    uint64    // revision of this replica's last write while holding; 0 when not
	token  uint64    // revision of the write that took the lease
	lastOK time.Time // when the last write while holding succeeded
	// The other holder's record as this replica last saw it, and since
	// when it has seen that revision unchanged.
	seenRev uint64
	seenAt  time.Time
}

// New checks cfg after WithDefaults and returns the replica's handle; it
// touches nothing in NATS.
func New(cfg Config) (*Lease, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Lease{cfg: cfg}, nil
}

// Key is the lease's key.
func (l *Lease) Key() string { return l.cfg.Key }

// Held reports whether this replica holds the lease, as far as its last
// write knows; Renew proves it.
func (l *Lease) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rev != 0
}

// Token is the fencing token of the current hold: the revision of the
// write that took the lease, larger than every earlier hold's. 0 when not
// holding.
func (l *Lease) Token() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rev == 0 {
		return 0
	}
	return l.token
}

// TryAcquire makes one attempt: it renews the lease when this replica
// holds it, takes it when it is free, and otherwise leaves it. It reports
// whether this replica holds the lease now. A lost race is not an error:
// it reports false. An error (NATS unreachable) leaves a hold in place, to
// be renewed by the next attempt.
func (l *Lease) TryAcquire(ctx context.Context) (bool, error) {
	held, lost, err := l.tryAcquire(ctx)
	l.report(lost)
	return held, err
}

// tryAcquire is TryAcquire under the lock; lost is the hold it found over,
// for OnLost.
func (l *Lease) tryAcquire(ctx context.Context) (held bool, lost, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	if l.rev != 0 {
		err := l.renewLocked(ctx, now)
		if err == nil {
			return true, nil, nil
		}
		if !errors.Is(err, ErrLost) {
			return false, nil, err
		}
		lost = err // and contend below: the key may be free again
	}
	wrote := false
	rev, err := broker.Update(ctx, l.cfg.KV, l.cfg.Key, func(e jetstream.KeyValueEntry) ([]byte, error) {
		wrote = e == nil || l.free(e, now)
		if !wrote {
			return nil, nil
		}
		return Record{Holder: l.cfg.Holder, Until: now.Add(l.cfg.TTL)}.encode(), nil
	})
	switch {
	case errors.Is(err, broker.ErrContended):
		return false, lost, nil
	case err != nil:
		return false, lost, fmt.Errorf("lease %s: %w", l.cfg.Key, err)
	case !wrote:
		return false, lost, nil
	}
	l.rev, l.token, l.lastOK = rev, rev, now
	return true, lost, nil
}

// free decides whether the stored record e may be taken at now.
func (l *Lease) free(e jetstream.KeyValueEntry, now time.Time) bool {
	var r Record
	if json.Unmarshal(e.Value(), &r) != nil {
		return true // unreadable: overwritten
	}
	if r.Holder == "" || r.Holder == l.cfg.Holder {
		return true
	}
	if l.cfg.ClockSkew != SkewUnbounded && !now.Before(r.Until.Add(l.cfg.ClockSkew)) {
		return true
	}
	if e.Revision() != l.seenRev {
		l.seenRev, l.seenAt = e.Revision(), now
		return false
	}
	return now.Sub(l.seenAt) >= l.cfg.TTL
}

// Acquire waits until this replica holds the lease, trying every half
// RenewEvery; it returns only ctx's error. Errors reaching NATS are waited
// out.
func (l *Lease) Acquire(ctx context.Context) error {
	t := time.NewTicker(l.cfg.RenewEvery / 2)
	defer t.Stop()
	for {
		if held, _ := l.TryAcquire(ctx); held {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Release gives the lease up, so that another replica takes it at once
// instead of after the TTL. It writes only over this replica's own last
// revision: a lease already taken by another is left alone. Stop Keep
// before releasing.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rev == 0 {
		return nil
	}
	rev := l.rev
	l.rev = 0
	_, err := l.cfg.KV.Update(ctx, l.cfg.Key, Record{Until: l.cfg.Now()}.encode(), rev)
	if err != nil && !broker.IsConflict(err) {
		return fmt.Errorf("lease %s: release: %w", l.cfg.Key, err)
	}
	return nil
}

// report tells OnLost of a hold that ended (an error wrapping ErrLost,
// other than "not held").
func (l *Lease) report(err error) {
	if l.cfg.OnLost != nil && errors.Is(err, ErrLost) && !errors.Is(err, errNotHeld) {
		l.cfg.OnLost(err)
	}
}
