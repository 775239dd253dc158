package lease_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/lease"
)

// TestRacingHoldersOneWins: replicas trying at the same instant, round
// after round, never both hold the lease.
func TestRacingHoldersOneWins(t *testing.T) {
	f := newFleet(t)
	c := newClock()
	var rs []*replica
	for i := range 5 {
		rs = append(rs, f.replica(fmt.Sprintf("r%d", i), on(c)))
	}
	for round := range 5 {
		var wg sync.WaitGroup
		held := make([]bool, len(rs))
		start := make(chan struct{})
		for i, r := range rs {
			wg.Go(func() {
				<-start
				h, err := r.TryAcquire(f.ctx)
				if err != nil {
					t.Error(err)
				}
				held[i] = h
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, h := range held {
			if h {
				winners++
				if got := f.record().Holder; got != fmt.Sprintf("r%d", i) {
					t.Errorf("round %d: r%d won but the record names %q", round, i, got)
				}
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d replicas hold the lease, want exactly 1", round, winners)
		}
		for _, r := range rs {
			if err := r.Release(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestTakeoverOnlyAfterExpiry: another replica takes the lease once its
// TTL has run out unrenewed, not a moment before; the former holder's next
// renewal then reports the loss.
func TestTakeoverOnlyAfterExpiry(t *testing.T) {
	f := newFleet(t)
	c := newClock()
	a, b := f.replica("a", on(c)), f.replica("b", on(c))
	if !f.try(a) {
		t.Fatal("a did not take a free lease")
	}
	if rec := f.record(); rec.Holder != "a" || !rec.Until.Equal(c.Now().Add(time.Second)) {
		t.Fatalf("record %+v, want a until a TTL from now", rec)
	}
	c.Advance(999 * time.Millisecond)
	if f.try(b) {
		t.Fatal("b took the lease before it ran out")
	}
	c.Advance(time.Millisecond)
	if !f.try(b) {
		t.Fatal("b did not take the lease once it ran out")
	}
	err := a.Renew(f.ctx)
	if !errors.Is(err, lease.ErrLost) {
		t.Fatalf("a's renewal after b took over: %v, want ErrLost", err)
	}
	if a.Held() || a.lostCount() != 1 {
		t.Fatalf("a held %v, OnLost heard %d; want not held, once", a.Held(), a.lostCount())
	}
	if f.try(a) {
		t.Fatal("a took back the lease b holds")
	}
}

// TestRenewalKeepsTheLease: a holder renewing within its TTL is never
// taken over, however long it holds.
func TestRenewalKeepsTheLease(t *testing.T) {
	f := newFleet(t)
	c := newClock()
	a, b := f.replica("a", on(c)), f.replica("b", on(c))
	f.try(a)
	for range 10 {
		c.Advance(600 * time.Millisecond)
		if err := a.Renew(f.ctx); err != nil {
			t.Fatal(err)
		}
		if f.try(b) {
			t.Fatal("b took a renewed lease")
		}
	}
}

// TestReleaseFreesAtOnce: a released lease is another's at once, at the
// same instant, without waiting for its TTL.
func TestReleaseFreesAtOnce(t *testing.T) {
	f := newFleet(t)
	c := newClock()
	a, b := f.replica("a", on(c)), f.replica("b", on(c))
	f.try(a)
	if f.try(b) {
		t.Fatal("b took a held lease")
	}
	if err := a.Release(f.ctx); err != nil {
		t.Fatal(err)
	}
	if a.Held() || a.Token() != 0 {
		t.Fatal("a still holds after releasing")
	}
	if rec := f.record(); rec.Live(c.Now()) {
		t.Fatalf("released record %+v is live", rec)
	}
	if !f.try(b) {
		t.Fatal("b did not take the released lease at once")
	}
	// A release over someone else's hold writes nothing.
	if err := a.Release(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.record().Holder; got != "b" {
		t.Fatalf("holder %q after a's second release, want b", got)
	}
}

// TestTokenFences: each hold's token is larger than the one before, and
// a hold renewed keeps its token.
func TestTokenFences(t *testing.T) {
	f := newFleet(t)
	c := newClock()
	a, b := f.replica("a", on(c)), f.replica("b", on(c))
	if a.Token() != 0 {
		t.Fatal("token before any hold")
	}
	f.try(a)
	first := a.Token()
	if err := a.Renew(f.ctx); err != nil {
		t.Fatal(err)
	}
	if a.Token() != first || first == 0 {
		t.Fatalf("token %d after a renewal, want %d (nonzero)", a.Token(), first)
	}
	_ = a.Release(f.ctx)
	f.try(b)
	if b.Token() <= first {
		t.Fatalf("b's token %d not above a's %d", b.Token(), first)
	}
}

// TestSameHolderTakesBack: a replica restarted under the same name takes
// its own record back at once.
func TestSameHolderTakesBack(t *testing.T) {
	f := newFleet(t)
	c := newClock()
	f.try(f.replica("a", on(c)))
	if !f.try(f.replica("a", on(c))) {
		t.Fatal("a restarted did not take back its own lease")
	}
}

// TestHolderThatDies: the holder's connection goes (the process died, so
// nothing is released); another replica waiting in Acquire takes over
// after the TTL, not before.
func TestHolderThatDies(t *testing.T) {
	f := newFleet(t)
	ttl := 2 * time.Second // margins for a loaded machine
	withTTL := func(c *lease.Config) { c.TTL = ttl }
	a, b := f.replica("a", withTTL), f.replica("b", withTTL)
	if err := a.Acquire(f.ctx); err != nil {
		t.Fatal(err)
	}
	kctx, stopKeep := context.WithCancel(f.ctx)
	defer stopKeep()
	kept := make(chan error, 1)
	go func() { kept <- a.Keep(kctx) }()

	// While a lives and renews, b waits, longer than a TTL.
	wctx, cancel := context.WithTimeout(f.ctx, ttl+ttl/4)
	if err := b.Acquire(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b acquired a live holder's lease (%v)", err)
	}
	cancel()

	died := time.Now()
	a.nc.Close() // a dies
	if err := <-kept; !errors.Is(err, lease.ErrLost) {
		t.Fatalf("a's Keep without NATS ended with %v, want ErrLost", err)
	}
	gaveUp := time.Since(died)
	if gaveUp >= ttl {
		t.Errorf("a gave up %v after losing NATS, want within TTL/2 and a renewal (and before the TTL)", gaveUp)
	}
	if err := b.Acquire(f.ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(died)
	if took <= gaveUp {
		t.Errorf("b took over %v after a died, before a gave up (%v)", took, gaveUp)
	}
	if took > 2*ttl+time.Second {
		t.Errorf("b took over %v after a died, want within the TTL and a try", took)
	}
	if rec := f.record(); rec.Holder != "b" {
		t.Fatalf("holder %q, want b", rec.Holder)
	}
}

// TestKeepReportsLoss: a holder whose key another writer took (an
// operator, a replica that judged it expired) hears of it from Keep at its
// next renewal, and from OnLost.
func TestKeepReportsLoss(t *testing.T) {
	f := newFleet(t)
	a := f.replica("a", func(c *lease.Config) { c.TTL = 500 * time.Millisecond })
	if !f.try(a) {
		t.Fatal("a did not take a free lease")
	}
	kept := make(chan error, 1)
	go func() { kept <- a.Keep(f.ctx) }()
	time.Sleep(250 * time.Millisecond) // a few renewals
	if _, err := f.kv().Put(f.ctx, key, []byte(`{"holder":"z","until":"2099-01-01T00:00:00Z"}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-kept:
		if !errors.Is(err, lease.ErrLost) {
			t.Fatalf("Keep ended with %v, want ErrLost", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Keep did not notice another writer")
	}
	if a.lostCount() != 1 {
		t.Fatalf("OnLost heard %d losses, want 1", a.lostCount())
	}
	if f.record().Holder != "z" {
		t.Fatal("a wrote over the other writer's record")
	}
}

// TestUnboundedSkew: with SkewUnbounded a record's Until counts for
// nothing: a holder whose clock lags (its Until already past on the
// contender's clock) keeps the lease while it renews, and a holder whose
// clock runs ahead (its Until far off) is taken over one TTL after it
// stopped renewing. With the default ClockSkew the lagging holder's lease
// is taken at once.
func TestUnboundedSkew(t *testing.T) {
	f := newFleet(t)
	holderClock, contenderClock := newClock(), newClock()
	contenderClock.Advance(time.Hour) // the holder lags by an hour
	a := f.replica("a", on(holderClock))
	b := f.replica("b", func(c *lease.Config) { c.Now = contenderClock.Now; c.ClockSkew = lease.SkewUnbounded })
	f.try(a)
	for range 5 {
		if f.try(b) {
			t.Fatal("b took the lease of a lagging but live holder")
		}
		holderClock.Advance(300 * time.Millisecond)
		contenderClock.Advance(300 * time.Millisecond)
		if err := a.Renew(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f.try(f.replica("c", on(contenderClock))) != true {
		t.Fatal("with ClockSkew 0 the lagging holder's past Until did not free the lease")
	}

	// A holder an hour ahead stops renewing: b takes over one TTL after it
	// first saw the last renewal, not an hour later.
	g := newFleet(t)
	ahead, behind := newClock(), newClock()
	ahead.Advance(time.Hour)
	x := g.replica("x", on(ahead))
	y := g.replica("y", func(c *lease.Config) { c.Now = behind.Now; c.ClockSkew = lease.SkewUnbounded })
	g.try(x)
	if g.try(y) {
		t.Fatal("y took a fresh lease")
	}
	behind.Advance(999 * time.Millisecond)
	if g.try(y) {
		t.Fatal("y took the lease before seeing it unchanged for a TTL")
	}
	behind.Advance(time.Millisecond)
	if !g.try(y) {
		t.Fatal("y did not take the lease after seeing it unchanged for a TTL")
	}
}

// TestRecordFormat: the stored record is the JSON pbxlink status reads:
// holder and until.
func TestRecordFormat(t *testing.T) {
	f := newFleet(t)
	c := newClock()
	f.try(f.replica("host-a/1/0001", on(c)))
	e, err := f.kv().Get(f.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Holder string    `json:"holder"`
		Until  time.Time `json:"until"`
	}
	if err := json.Unmarshal(e.Value(), &v); err != nil || v.Holder != "host-a/1/0001" || !v.Until.Equal(c.Now().Add(time.Second)) {
		t.Fatalf("stored %s (%v), want holder and until", e.Value(), err)
	}
}

// TestUnreadableRecordIsFree: a value that is not a record (damaged, an
// older format) is overwritten.
func TestUnreadableRecordIsFree(t *testing.T) {
	f := newFleet(t)
	if _, err := f.kv().Put(f.ctx, key, []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	if !f.try(f.replica("a", nil)) {
		t.Fatal("an unreadable record was not taken")
	}
}

func TestConfigNamesTheField(t *testing.T) {
	f := newFleet(t)
	kv := f.kv()
	for _, c := range []struct {
		cfg   lease.Config
		field string
	}{
		{lease.Config{Key: key, Holder: "a"}, "KV"},
		{lease.Config{KV: kv, Holder: "a"}, "Key"},
		{lease.Config{KV: kv, Key: key}, "Holder"},
		{lease.Config{KV: kv, Key: key, Holder: "a", TTL: time.Millisecond}, "TTL"},
		{lease.Config{KV: kv, Key: key, Holder: "a", TTL: time.Second, RenewEvery: time.Second}, "RenewEvery"},
		{lease.Config{KV: kv, Key: key, Holder: "a", ClockSkew: -2 * time.Second}, "ClockSkew"},
	} {
		_, err := lease.New(c.cfg)
		if !errors.Is(err, lease.ErrConfig) || !containsField(err, c.field) {
			t.Errorf("%s: err %v, want ErrConfig naming it", c.field, err)
		}
	}
}
