package fias

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// Lease elects one replica to hold a FIAS link: the IFC serves one client
// per port and drops the older connection when another connects, so two
// replicas connected at once would take the link from each other.
//
// The lease is one key in the fleet bucket. Its holder rewrites it every
// TTL/5; a replica that sees the key's revision unchanged for a whole TTL,
// as timed by its own monotonic clock from when it first saw that
// revision, takes it over with a compare-and-swap on that revision. The
// holder gives the link up when its last successful renewal is TTL/2 old.
// Both sides measure on their own monotonic clocks only, so clock skew
// between hosts cannot make two holders: the taker's TTL starts after the
// holder's last renewal, and the holder has stopped TTL/2 before it ends.
type Lease struct {
	kv     jetstream.KeyValue
	key    string
	holder string
	ttl    time.Duration

	rev uint64 // the revision this replica wrote last, while holding
}

// leaseValue is what the key holds.
type leaseValue struct {
	Holder string `json:"holder"`
	// Renewals makes every renewal a new value (a reader sees it move).
	Renewals uint64 `json:"renewals"`
}

// NewLease returns replica holder's handle on lease key in kv.
func NewLease(kv jetstream.KeyValue, key, holder string, ttl time.Duration) *Lease {
	return &Lease{kv: kv, key: key, holder: holder, ttl: ttl}
}

// Acquire waits until this replica holds the lease, or ctx ends.
func (l *Lease) Acquire(ctx context.Context) error {
	var seenRev uint64
	var seenAt time.Time
	tick := time.NewTicker(l.ttl / 10)
	defer tick.Stop()
	for {
		e, err := l.kv.Get(ctx, l.key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			if ok, err := l.write(ctx, 0, 0); err != nil || ok {
				return err
			}
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// NATS unreachable: keep trying.
		default:
			var v leaseValue
			_ = json.Unmarshal(e.Value(), &v)
			if e.Revision() != seenRev {
				seenRev, seenAt = e.Revision(), time.Now()
			}
			// Free when released, or when its holder stopped renewing.
			if v.Holder == "" || v.Holder == l.holder || time.Since(seenAt) >= l.ttl {
				if ok, err := l.write(ctx, e.Revision(), v.Renewals+1); err != nil || ok {
					return err
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// write claims the lease at revision rev (0: create); false when another
// replica was faster.
func (l *Lease) write(ctx context.Context, rev, renewals uint64) (bool, error) {
	data, _ := json.Marshal(leaseValue{Holder: l.holder, Renewals: renewals})
	var err error
	var nrev uint64
	if rev == 0 {
		nrev, err = l.kv.Create(ctx, l.key, data)
	} else {
		nrev, err = l.kv.Update(ctx, l.key, data, rev)
	}
	if err != nil {
		if broker.IsConflict(err) || ctx.Err() == nil {
			return false, nil
		}
		return false, ctx.Err()
	}
	l.rev = nrev
	return true, nil
}

// ErrLeaseLost is the cause Keep gives when this replica no longer holds
// the lease.
var ErrLeaseLost = errors.New("fias: link lease lost")

// Keep renews the held lease until ctx ends, and calls lost with the
// reason (wrapping ErrLeaseLost) as soon as it can no longer be sure it
// holds it: another replica wrote the key, or no renewal succeeded for
// TTL/2.
func (l *Lease) Keep(ctx context.Context, lost func(error)) {
	lastOK := time.Now()
	renewals := uint64(0)
	tick := time.NewTicker(l.ttl / 10)
	defer tick.Stop()
	next := time.Now().Add(l.ttl / 5)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if time.Since(lastOK) >= l.ttl/2 {
			lost(fmt.Errorf("%w: no renewal for %s", ErrLeaseLost, time.Since(lastOK).Round(time.Millisecond)))
			return
		}
		if time.Now().Before(next) {
			continue
		}
		renewals++
		data, _ := json.Marshal(leaseValue{Holder: l.holder, Renewals: renewals})
		rctx, cancel := context.WithTimeout(ctx, l.ttl/5)
		rev, err := l.kv.Update(rctx, l.key, data, l.rev)
		cancel()
		switch {
		case err == nil:
			l.rev, lastOK = rev, time.Now()
			next = lastOK.Add(l.ttl / 5)
		case broker.IsConflict(err):
			lost(fmt.Errorf("%w: another replica took it", ErrLeaseLost))
			return
		}
	}
}

// Release gives the lease up, so that another replica takes over at once
// instead of after TTL. It writes only over this replica's own revision.
func (l *Lease) Release(ctx context.Context) {
	if l.rev == 0 {
		return
	}
	data, _ := json.Marshal(leaseValue{})
	_, _ = l.kv.Update(ctx, l.key, data, l.rev)
	l.rev = 0
}
