package callrecord

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// roomSet is a Rooms of fixed extensions.
type roomSet map[string]bool

func (r roomSet) Has(ext string) bool { return r[ext] }

// harness is an embedded NATS server and a Zoom simulator with rooms 1201…
// and two staff extensions (9001, 9002), on a clock the test moves.
type harness struct {
	t     *testing.T
	nats  *testenv.NATS
	sim   *zoomsim.Server
	clock *testenv.Clock
	rooms roomSet
}

func newHarness(t *testing.T, rooms int, clock *testenv.Clock, simCfg ...func(*zoomsim.Config)) *harness {
	t.Helper()
	n := testenv.StartNATS(t)
	now := time.Now
	if clock != nil {
		now = clock.Now
	}
	cfg := zoomsim.Config{Seed: &zoomsim.Seed{Rooms: rooms, Staff: 2}, Now: now}
	for _, f := range simCfg {
		f(&cfg)
	}
	sim := testenv.StartSim(t, cfg)
	rs := roomSet{}
	for i := range rooms {
		rs[strconv.Itoa(1201+i)] = true
	}
	return &harness{t: t, nats: n, sim: sim, clock: clock, rooms: rs}
}

// conn is a new NATS connection (one per replica), closed at the end.
func (h *harness) conn() (*nats.Conn, jetstream.JetStream, jetstream.KeyValue) {
	h.t.Helper()
	nc, js := h.nats.Connect("test")
	kv, err := js.CreateOrUpdateKeyValue(context.Background(), broker.FleetBucketConfig(broker.Topology{}))
	if err != nil {
		h.t.Fatal(err)
	}
	return nc, js, kv
}

func (h *harness) zoom() *zoom.Client {
	h.t.Helper()
	return testenv.ZoomClient(h.t, h.sim)
}

// poller is a replica's poller on its own connection; the Zoom client may
// be wrapped.
func (h *harness) poller(holder string, edit func(*PollerConfig)) (*Poller, *nats.Conn, *Metrics) {
	h.t.Helper()
	nc, js, kv := h.conn()
	m := NewMetrics(nil)
	cfg := PollerConfig{JetStream: js, Fleet: kv, Zoom: h.zoom(), Rooms: h.rooms, Holder: holder, Metrics: m,
		Interval: 10 * time.Minute, Overlap: 30 * time.Minute, LeaseTTL: 30 * time.Second, FirstLookback: 4 * time.Hour,
		OnError: func(err error) { h.t.Logf("poller %s: %v", holder, err) }}
	if h.clock != nil {
		cfg.Now = h.clock.Now
	}
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewPoller(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := EnsureStream(context.Background(), js, p.StreamConfig()); err != nil {
		h.t.Fatal(err)
	}
	return p, nc, m
}

// published counts the stream's messages by Nats-Msg-Id, checking that
// each is a valid record whose id is its Nats-Msg-Id.
func (h *harness) published() map[string]int {
	h.t.Helper()
	_, js, _ := h.conn()
	ctx := testCtx(h.t)
	s, err := js.Stream(ctx, schemas.StreamCalls)
	if err != nil {
		h.t.Fatal(err)
	}
	info, _ := s.Info(ctx)
	out := map[string]int{}
	if info.State.Msgs == 0 {
		return out
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		h.t.Fatal(err)
	}
	for read := uint64(0); read < info.State.Msgs; {
		batch, err := c.FetchNoWait(500)
		if err != nil {
			h.t.Fatal(err)
		}
		for msg := range batch.Messages() {
			read++
			ev, err := schemas.ParseCall(msg.Subject(), msg.Data())
			if err != nil {
				h.t.Fatalf("published record: %v", err)
			}
			if id := msg.Headers().Get(schemas.HeaderMsgID); id != ev.ID {
				h.t.Errorf("record %s published with Nats-Msg-Id %q", ev.ID, id)
			}
			out[ev.ID]++
		}
		if err := batch.Error(); err != nil {
			h.t.Fatal(err)
		}
	}
	return out
}

// expected is the simulator's calls that belong to an extension isOurs
// keeps and ended at or before until.
func (h *harness) expected(isOurs func(string) bool, until time.Time) map[string]bool {
	out := map[string]bool{}
	for _, c := range h.sim.CallHistory() {
		ext := c.CalleeExtNumber
		if c.Direction == "outbound" {
			ext = c.CallerExtNumber
		}
		if ext != "" && isOurs(ext) && !c.EndTime.After(until) {
			out[c.UUID] = true
		}
	}
	return out
}

// checkOnce fails unless every expected call was published exactly once
// and nothing else was.
func (h *harness) checkOnce(want map[string]bool) {
	h.t.Helper()
	got := h.published()
	for id, n := range got {
		if n != 1 {
			h.t.Errorf("call %s published %d times", id, n)
		}
		if !want[id] {
			h.t.Errorf("call %s published, but it is not a room's", id)
		}
	}
	for id := range want {
		if got[id] == 0 {
			h.t.Errorf("call %s never published", id)
		}
	}
	if len(want) == 0 {
		h.t.Error("no call expected: the test proves nothing")
	}
}

// staffCall adds an outbound call of a staff extension, which is not a
// room's.
func (h *harness) staffCall(end time.Time) {
	h.t.Helper()
	if _, err := h.sim.AddCallRecord(zoomsim.CallRecord{
		StartTime: end.Add(-time.Minute), EndTime: end, Duration: 50, Direction: "outbound", ConnectType: "external",
		CallerExtNumber: "9001", CallerName: "Staff 1", CalleeDIDNumber: "+15550109999", CallResult: "answered", AnswerTime: end.Add(-50 * time.Second),
	}); err != nil {
		h.t.Fatal(err)
	}
}
