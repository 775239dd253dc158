package callrecord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// leaseKey is the poller's lease in the fleet bucket.
const leaseKey = "callrecords.lease"

// lease says which replica polls Zoom's call history, and until when.
type lease struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

// leaser takes and keeps the lease for one replica. Only the holder
// renews it; another replica takes it once it has run out, so a holder
// that died is replaced within the lease's time plus one check.
type leaser struct {
	kv     jetstream.KeyValue
	holder string
	ttl    time.Duration
	now    func() time.Time
	rev    uint64 // revision of our own last write, 0 when not holding
}

// acquire takes the lease, or renews it when held; it reports whether this
// replica holds it now.
func (l *leaser) acquire(ctx context.Context) (bool, error) {
	e, err := l.kv.Get(ctx, leaseKey)
	var rev uint64
	switch {
	case err == nil:
		var cur lease
		if json.Unmarshal(e.Value(), &cur) == nil && cur.Holder != l.holder && l.now().Before(cur.Until) {
			l.rev = 0
			return false, nil
		}
		rev = e.Revision()
	case errors.Is(err, jetstream.ErrKeyNotFound):
	default:
		return false, fmt.Errorf("call records lease: %w", err)
	}
	data, _ := json.Marshal(lease{Holder: l.holder, Until: l.now().Add(l.ttl)})
	if rev == 0 {
		rev, err = l.kv.Create(ctx, leaseKey, data)
	} else {
		rev, err = l.kv.Update(ctx, leaseKey, data, rev)
	}
	if err != nil {
		l.rev = 0
		if broker.IsConflict(err) {
			return false, nil
		}
		return false, fmt.Errorf("call records lease: %w", err)
	}
	l.rev = rev
	return true, nil
}

// release gives the lease up at a clean stop, so that another replica
// need not wait for it to run out.
func (l *leaser) release(ctx context.Context) {
	if l.rev == 0 {
		return
	}
	data, _ := json.Marshal(lease{Holder: l.holder, Until: l.now()})
	_, _ = l.kv.Update(ctx, leaseKey, data, l.rev)
	l.rev = 0
}

func isConflict(err error) bool { return broker.IsConflict(err) }
