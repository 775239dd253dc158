package callrecord

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/schemas"
)

func publishCall(t *testing.T, js jetstream.JetStream, c schemas.Call, msgID string) {
	t.Helper()
	body, err := schemas.MarshalCall(schemas.NewCallEvent(c))
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg(schemas.CallSubject(c.Extension))
	msg.Data = body
	msg.Header.Set(schemas.HeaderMsgID, msgID)
	if _, err := js.PublishMsg(testCtx(t), msg); err != nil {
		t.Fatal(err)
	}
}

// TestSink, on both databases: records are stored once (a record sent
// again under another message id included), an invalid one is refused
// without blocking the rest, old records are purged by the retention, and
// the no-CDR alert rises when nothing arrives for StaleAfter and falls with
// the next record.
func TestSink(t *testing.T) {
	stores(t, func(t *testing.T, open func() Store) {
		clock := testenv.NewClock(day0.Add(12 * time.Hour))
		h := newHarness(t, 0, clock)
		_, js, _ := h.conn()
		ctx := testCtx(t)
		if _, err := EnsureStream(ctx, js, StreamConfig(0, 0, 1)); err != nil {
			t.Fatal(err)
		}
		store := open()
		// Stored before: one call older than the 90-day retention.
		old := call("old", "1201", day0.AddDate(0, 0, -100), true)
		if _, err := store.Insert(ctx, old, day0.AddDate(0, 0, -100)); err != nil {
			t.Fatal(err)
		}
		m := NewMetrics(nil)
		var mu sync.Mutex
		var refused []error
		sink, err := NewSink(SinkConfig{JetStream: js, Store: store, Now: clock.Now, Metrics: m, StaleAfter: 6 * time.Hour,
			CheckEvery: 10 * time.Millisecond, OnError: func(err error) { mu.Lock(); refused = append(refused, err); mu.Unlock() }})
		if err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sink.Run(sctx) }()
		defer func() { cancel(); <-done }()

		a, b := call("a", "1201", day0.Add(time.Hour), true), call("b", "1202", day0.Add(2*time.Hour), false)
		publishCall(t, js, a, "a")
		if _, err := js.Publish(ctx, schemas.CallSubject("1203"), []byte(`{"type":"pbxlink.call","data":{}}`)); err != nil {
			t.Fatal(err)
		}
		publishCall(t, js, b, "b")
		publishCall(t, js, a, "a-again") // past the stream's duplicate check
		waitFor(t, func() bool { return metricValue(m.stored.WithLabelValues("duplicate")) == 1 })
		all, err := store.Calls(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0] != a || all[1] != b {
			t.Errorf("stored %+v", all)
		}
		mu.Lock()
		nRefused := len(refused)
		mu.Unlock()
		if metricValue(m.stored.WithLabelValues("inserted")) != 2 || metricValue(m.stored.WithLabelValues("invalid")) != 1 || nRefused != 1 {
			t.Errorf("inserted %v, invalid %v, errors %v", metricValue(m.stored.WithLabelValues("inserted")), metricValue(m.stored.WithLabelValues("invalid")), nRefused)
		}
		if metricValue(m.purged) != 1 {
			t.Errorf("purged %v at start, want the call older than the retention", metricValue(m.purged))
		}
		if got := metricValue(m.lastReceived); got != float64(clock.Now().Unix()) {
			t.Errorf("last received %v, want now %v", got, clock.Now().Unix())
		}
		if sink.Stale() {
			t.Fatal("stale right after a record")
		}
		clock.Advance(6*time.Hour + time.Second)
		waitFor(t, func() bool { return metricValue(m.stale) == 1 })
		publishCall(t, js, call("c", "1201", clock.Now().Add(-time.Minute), true), "c")
		waitFor(t, func() bool { return metricValue(m.stale) == 0 })
	})
}

// TestSinkStartsFromTheDatabase: after a restart, the alert counts from
// the last record stored, not from the start.
func TestSinkStartsFromTheDatabase(t *testing.T) {
	clock := testenv.NewClock(day0.Add(12 * time.Hour))
	h := newHarness(t, 0, clock)
	_, js, _ := h.conn()
	ctx := testCtx(t)
	if _, err := EnsureStream(ctx, js, StreamConfig(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	store, err := OpenSQLite(ctx, t.TempDir()+"/calls.db")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Insert(ctx, call("a", "1201", day0, true), clock.Now().Add(-7*time.Hour)); err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(nil)
	sink, err := NewSink(SinkConfig{JetStream: js, Store: store, Now: clock.Now, Metrics: m, StaleAfter: 6 * time.Hour, CheckEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sink.Run(sctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return metricValue(m.stale) == 1 })
}
