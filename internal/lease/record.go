package lease

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Record is what a lease key holds, as JSON. pbxlink status reads it
// (holder and until) to show who holds each lease.
type Record struct {
	// Holder names the replica holding the lease; empty once released.
	Holder string `json:"holder"`
	// Until is when the lease runs out unless renewed, on the holder's
	// clock; at a release, the time of the release.
	Until time.Time `json:"until"`
}

// Live reports whether r is held at now.
func (r Record) Live(now time.Time) bool { return r.Holder != "" && now.Before(r.Until) }

// Read returns the record stored at key and its revision;
// jetstream.ErrKeyNotFound when there is none.
func Read(ctx context.Context, kv jetstream.KeyValue, key string) (Record, uint64, error) {
	e, err := kv.Get(ctx, key)
	if err != nil {
		return Record{}, 0, err
	}
	var r Record
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return Record{}, e.Revision(), fmt.Errorf("lease %s: unreadable record: %w", key, err)
	}
	return r, e.Revision(), nil
}

func (r Record) encode() []byte {
	b, _ := json.Marshal(r) // a string and a time: cannot fail
	return b
}
