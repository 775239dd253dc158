package lease_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/lease"
	"github.com/pbxlink/pbxlink/internal/testenv"
)

const key = "test.lease"

// fleet is an embedded JetStream server with the fleet bucket.
type fleet struct {
	t    *testing.T
	nats *testenv.NATS
	ctx  context.Context
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	f := &fleet{t: t, nats: testenv.StartNATS(t), ctx: testenv.Ctx(t)}
	if _, err := f.nats.JS.CreateOrUpdateKeyValue(f.ctx, broker.FleetBucketConfig(broker.Topology{})); err != nil {
		t.Fatal(err)
	}
	return f
}

// conn is a new connection: each replica has its own, so that one can die
// alone.
func (f *fleet) conn() *nats.Conn {
	nc, _ := f.nats.Connect(f.t.Name())
	return nc
}

// kvOn is the fleet bucket through nc.
func (f *fleet) kvOn(nc *nats.Conn) jetstream.KeyValue {
	f.t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		f.t.Fatal(err)
	}
	kv, err := js.KeyValue(f.ctx, broker.BucketFleet)
	if err != nil {
		f.t.Fatal(err)
	}
	return kv
}

func (f *fleet) kv() jetstream.KeyValue { return f.kvOn(f.conn()) }

// replica is one holder's lease on its own connection, with what OnLost
// heard.
type replica struct {
	*lease.Lease
	nc *nats.Conn

	mu   sync.Mutex
	lost []error
}

func (f *fleet) replica(holder string, edit func(*lease.Config)) *replica {
	f.t.Helper()
	r := &replica{nc: f.conn()}
	cfg := lease.Config{KV: f.kvOn(r.nc), Key: key, Holder: holder, TTL: time.Second,
		OnLost: func(err error) { r.mu.Lock(); r.lost = append(r.lost, err); r.mu.Unlock() }}
	if edit != nil {
		edit(&cfg)
	}
	l, err := lease.New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	r.Lease = l
	return r
}

func (r *replica) lostCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.lost)
}

// newClock is a clock the test moves, at the same start in every test.
func newClock() *testenv.Clock {
	return testenv.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
}

// on runs the replica on clock c.
func on(c *testenv.Clock) func(*lease.Config) { return func(cfg *lease.Config) { cfg.Now = c.Now } }

func (f *fleet) try(r *replica) bool {
	f.t.Helper()
	held, err := r.TryAcquire(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return held
}

func (f *fleet) record() lease.Record {
	f.t.Helper()
	rec, _, err := lease.Read(f.ctx, f.kv(), key)
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

// containsField reports whether err names field as "field:".
func containsField(err error, field string) bool {
	return err != nil && strings.Contains(err.Error(), " "+field+":")
}
