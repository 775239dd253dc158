package callrecord

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func startClock() *testenv.Clock {
	return testenv.NewClock(time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour).Add(14 * time.Hour))
}

// TestPollerOnceAcrossOverlaps: reads whose windows overlap by half an
// hour, with calls arriving between reads and records Zoom lists late
// (ending before the last read, inside the overlap), publish every room's
// call exactly once and no staff call.
func TestPollerOnceAcrossOverlaps(t *testing.T) {
	clock := startClock()
	h := newHarness(t, 20, clock)
	if _, err := h.sim.SimulateCalls(zoomsim.CallTraffic{From: clock.Now().Add(-3 * time.Hour), To: clock.Now(), CallsPerRoomPerDay: 40, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	h.staffCall(clock.Now().Add(-time.Hour))
	p, _, m := h.poller("a", nil)
	ctx := testCtx(t)
	if err := p.step(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		clock.Advance(10 * time.Minute)
		now := clock.Now()
		if _, err := h.sim.SimulateCalls(zoomsim.CallTraffic{From: now.Add(-10 * time.Minute), To: now.Add(-5 * time.Minute), CallsPerRoomPerDay: 40, Seed: uint64(10 + i)}); err != nil {
			t.Fatal(err)
		}
		// Listed late: it ended 20 minutes ago, before the last read.
		if _, err := h.sim.AddCallRecord(zoomsim.CallRecord{StartTime: now.Add(-22 * time.Minute), EndTime: now.Add(-20 * time.Minute),
			Direction: "inbound", CalleeExtNumber: "1205", CallerDIDNumber: "+15550100000", CallResult: "no_answer"}); err != nil {
			t.Fatal(err)
		}
		h.staffCall(now.Add(-time.Minute))
		if err := p.step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	h.checkOnce(h.expected(h.rooms.Has, clock.Now()))
	if seen := metricValue(m.published.WithLabelValues("seen")); seen == 0 {
		t.Error("no record was read twice: the windows did not overlap")
	}
	if skipped := metricValue(m.published.WithLabelValues("skipped")); skipped < 7 {
		t.Errorf("%v entries skipped, want the 7 staff calls", skipped)
	}
	if got := metricValue(m.requestsToday); got != 7 {
		t.Errorf("requests today %v, want 7 (one per read)", got)
	}
}

// TestPollerAllExtensions: with the switch on, staff calls are published
// too.
func TestPollerAllExtensions(t *testing.T) {
	clock := startClock()
	h := newHarness(t, 5, clock)
	if _, err := h.sim.SimulateCalls(zoomsim.CallTraffic{From: clock.Now().Add(-2 * time.Hour), To: clock.Now(), CallsPerRoomPerDay: 40, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	h.staffCall(clock.Now().Add(-time.Hour))
	p, _, _ := h.poller("a", func(c *PollerConfig) { c.Rooms, c.AllExtensions = nil, true })
	if err := p.step(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	h.checkOnce(h.expected(func(string) bool { return true }, clock.Now()))
}

// crashingZoom publishes a page through the poller and then kills the
// replica (its NATS connection) before it can save its state.
type crashingZoom struct {
	inner CallHistory
	crash func()
}

var errKilled = errors.New("replica killed")

func (c crashingZoom) CallHistoryPages(ctx context.Context, w zoom.CallHistoryWindow, page func([]zoom.CallHistoryEntry, bool) error) (int, error) {
	return c.inner.CallHistoryPages(ctx, w, func(p []zoom.CallHistoryEntry, more bool) error {
		if err := page(p, more); err != nil {
			return err
		}
		c.crash()
		return errKilled
	})
}

// TestLeaderKilledMidRead: the leader publishes a window's calls and dies
// before it records them; the other replica takes the lease once it runs
// out, reads the same window again, and the stream's duplicate window
// drops what was published already: every call is in the stream and the
// database once.
func TestLeaderKilledMidRead(t *testing.T) {
	clock := startClock()
	h := newHarness(t, 20, clock)
	if _, err := h.sim.SimulateCalls(zoomsim.CallTraffic{From: clock.Now().Add(-3 * time.Hour), To: clock.Now(), CallsPerRoomPerDay: 40, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	a, _, _ := h.poller("a", nil)
	if err := a.step(ctx); err != nil {
		t.Fatal(err)
	}
	b, _, mb := h.poller("b", nil)
	if err := b.step(ctx); err != nil || metricValue(mb.leader) != 0 {
		t.Fatalf("b took the lease from a live leader (%v)", err)
	}
	// New calls; a reads them, publishes, and dies before saving.
	clock.Advance(10 * time.Minute)
	if _, err := h.sim.SimulateCalls(zoomsim.CallTraffic{From: clock.Now().Add(-10 * time.Minute), To: clock.Now(), CallsPerRoomPerDay: 40, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	var killed *Poller
	a2, nc2, _ := h.poller("a", func(c *PollerConfig) {
		c.Zoom = crashingZoom{inner: c.Zoom, crash: func() { killed.cfg.JetStream.Conn().Close() }}
	})
	killed = a2
	_ = nc2
	if err := a2.step(ctx); err == nil {
		t.Fatal("the killed leader's read succeeded")
	}
	// b waits while a's lease lasts, then takes over.
	clock.Advance(20 * time.Second)
	if err := b.step(ctx); err != nil || metricValue(mb.leader) != 0 {
		t.Fatalf("b took the lease before it ran out (%v)", err)
	}
	clock.Advance(15 * time.Second)
	if err := b.step(ctx); err != nil {
		t.Fatal(err)
	}
	if metricValue(mb.leader) != 1 {
		t.Fatal("b did not take over the lease of a dead leader")
	}
	if metricValue(mb.published.WithLabelValues("duplicate")) == 0 {
		t.Error("b published nothing that a had published: the crash came too late to test anything")
	}
	want := h.expected(h.rooms.Has, clock.Now())
	h.checkOnce(want)

	// The database sink stores each once, too.
	store, err := OpenSQLite(ctx, t.TempDir()+"/calls.db")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, js, _ := h.conn()
	sink, err := NewSink(SinkConfig{JetStream: js, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sink.Run(sctx) }()
	waitFor(t, func() bool { all, _ := store.Calls(ctx, ""); return len(all) >= len(want) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	all, _ := store.Calls(ctx, "")
	if len(all) != len(want) {
		t.Errorf("%d calls stored, want %d", len(all), len(want))
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLeaseTakeoverRealTime: two replicas run; the leader is killed
// (connection gone, lease not released); the other reads within the
// lease's time plus a check, and the lease is never held by both.
func TestLeaseTakeoverRealTime(t *testing.T) {
	h := newHarness(t, 5, nil)
	ttl := 900 * time.Millisecond
	type replica struct {
		p      *Poller
		m      *Metrics
		cancel context.CancelFunc
		done   chan error
	}
	start := func(name string) *replica {
		p, _, m := h.poller(name, func(c *PollerConfig) {
			c.LeaseTTL, c.Interval, c.DailyShare = ttl, time.Minute, 1
		})
		ctx, cancel := context.WithCancel(context.Background())
		r := &replica{p: p, m: m, cancel: cancel, done: make(chan error, 1)}
		go func() { r.done <- p.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-r.done })
		return r
	}
	a, b := start("a"), start("b")
	leader := func(r *replica) bool { return metricValue(r.m.leader) == 1 }
	waitFor(t, func() bool { return leader(a) || leader(b) })
	if leader(a) && leader(b) {
		t.Fatal("both replicas hold the lease")
	}
	dead, other := a, b
	if leader(b) {
		dead, other = b, a
	}
	dead.p.cfg.JetStream.Conn().Close() // killed: it cannot release the lease
	killedAt := time.Now()
	waitFor(t, func() bool { return leader(other) })
	if took := time.Since(killedAt); took > ttl+ttl/3+time.Second {
		t.Errorf("takeover took %v, want within the lease's %v and a check", took, ttl)
	}
}

// TestPollerDailyShare: a fleet far behind catches up in windows; when its
// share of the daily cap is used up it stops, says so in the metrics, makes
// no request until 00:00 UTC, and then goes on where it stopped.
func TestPollerDailyShare(t *testing.T) {
	clock := startClock()
	// The fake clock stands still during a read: Zoom's per-second limit
	// would refuse the catch-up's quick requests. The share is the poller's.
	h := newHarness(t, 20, clock, func(c *zoomsim.Config) { c.Unlimited = true })
	if _, err := h.sim.SimulateCalls(zoomsim.CallTraffic{From: clock.Now().Add(-10 * 24 * time.Hour), To: clock.Now(), CallsPerRoomPerDay: 15, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	p, _, m := h.poller("a", func(c *PollerConfig) {
		c.DailyCap, c.DailyShare, c.Interval, c.FirstLookback = 20, 0.4, 3*time.Hour, 10*24*time.Hour
	})
	ctx := testCtx(t)
	heavy := func() int {
		n := 0
		for _, e := range h.sim.Journal() {
			if e.OperationID == zoom.OpListCallHistory.ID && e.Status == 200 {
				n++
			}
		}
		return n
	}
	if err := p.step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := heavy(); n != 8 {
		t.Fatalf("%d requests, want the share: 8 of 20", n)
	}
	if got := metricValue(m.capShareUsed); got != 0.4 {
		t.Errorf("pbxlink_call_records_daily_cap_used_ratio %v, want 0.4", got)
	}
	if metricValue(m.polls.WithLabelValues("budget")) != 1 {
		t.Error("the stop at the share is not counted")
	}
	mark := time.Unix(int64(metricValue(m.watermark)), 0)
	firstDay := h.published()
	clock.Advance(4 * time.Hour)
	if err := p.step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := heavy(); n != 8 {
		t.Fatalf("%d requests after the share was used up the same day", n)
	}
	// Next day: it goes on from its watermark, publishing only new calls
	// (the first request refreshes the access token, expired overnight:
	// Zoom refused it, so it counts toward nothing).
	y, mo, d := clock.Now().Date()
	clock.Advance(time.Date(y, mo, d+1, 0, 1, 0, 0, time.UTC).Sub(clock.Now()))
	if err := p.step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := heavy(); n != 16 {
		t.Errorf("%d requests by the second day, want 16", n)
	}
	if next := time.Unix(int64(metricValue(m.watermark)), 0); !next.After(mark) {
		t.Errorf("watermark %v did not move past %v", next, mark)
	}
	second := h.published()
	if len(second) <= len(firstDay) {
		t.Error("nothing new published on the second day")
	}
	for id, n := range second {
		if n != 1 {
			t.Errorf("%s published %d times", id, n)
		}
	}
}

func TestPollerConfigErrors(t *testing.T) {
	h := newHarness(t, 1, nil)
	_, js, kv := h.conn()
	base := PollerConfig{JetStream: js, Fleet: kv, Zoom: h.zoom(), Rooms: h.rooms}
	for field, edit := range map[string]func(*PollerConfig){
		"Rooms":      func(c *PollerConfig) { c.Rooms = nil },
		"DailyShare": func(c *PollerConfig) { c.DailyShare = 1.5 },
		"Interval":   func(c *PollerConfig) { c.Interval = time.Millisecond },
		"Overlap":    func(c *PollerConfig) { c.Overlap = -time.Second },
	} {
		c := base
		edit(&c)
		_, err := NewPoller(c)
		if !errors.Is(err, ErrConfig) || !containsWord(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	// An interval the share cannot pay for names the share.
	c := base
	c.Interval, c.DailyShare = 10*time.Second, 0.01
	if _, err := NewPoller(c); err == nil || !containsWord(err.Error(), "DailyShare") {
		t.Errorf("150 requests a day for 8640 reads: %v", err)
	}
}

func containsWord(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w {
			return true
		}
	}
	return false
}
