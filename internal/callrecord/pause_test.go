package callrecord

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// callHistoryRequests counts the simulator's call-history requests.
func (h *harness) callHistoryRequests() int {
	n := 0
	for _, e := range h.sim.Journal() {
		if e.Listener == "api" && e.OperationID == zoom.OpListCallHistory.ID {
			n++
		}
	}
	return n
}

// TestPausedFleetReadsNothing: while the fleet's Zoom work is paused (the
// account refused, the app de-authorized) the poller keeps its lease but
// makes no call-history request, and says so in its metrics; once the
// pause is lifted its next due read goes ahead.
func TestPausedFleetReadsNothing(t *testing.T) {
	clock := startClock()
	h := newHarness(t, 5, clock)
	if _, err := h.sim.SimulateCalls(zoomsim.CallTraffic{From: clock.Now().Add(-2 * time.Hour), To: clock.Now(), CallsPerRoomPerDay: 40, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	var paused atomic.Bool
	paused.Store(true)
	errPaused := errors.New("Zoom work paused since 09:00: credentials refused")
	p, _, m := h.poller("a", func(c *PollerConfig) {
		c.Paused = func(context.Context) error {
			if paused.Load() {
				return errPaused
			}
			return nil
		}
	})
	ctx := testCtx(t)
	before := h.callHistoryRequests()
	for range 3 {
		if err := p.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute)
	}
	if n := h.callHistoryRequests() - before; n != 0 {
		t.Fatalf("%d call-history requests while paused, want 0", n)
	}
	if metricValue(m.leader) != 1 {
		t.Error("the paused poller gave up its lease")
	}
	if got := metricValue(m.polls.WithLabelValues("paused")); got != 3 {
		t.Errorf("polls{outcome=paused} = %v, want 3", got)
	}
	paused.Store(false)
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if h.callHistoryRequests() == before {
		t.Fatal("no call-history request after the pause was lifted")
	}
	if metricValue(m.polls.WithLabelValues("ok")) == 0 {
		t.Error("the read after the pause did not count as ok")
	}
}
