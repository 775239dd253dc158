package consumer_test

import (
	"context"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestSoftStopFinishesEventsInProgress: a stop with enough grace lets the
// event in progress finish and be acknowledged, and hands back the rest,
// which the next worker applies.
func TestSoftStopFinishesEventsInProgress(t *testing.T) {
	t.Parallel()
	b := setup(t, options{sim: func(c *zoomsim.Config) { c.Faults = zoomsim.Faults{Latency: 300 * time.Millisecond} }})
	w := b.start()
	must[any](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "First"}}))
	second := must[*producer.Result](t)(b.prod.GuestChange(b.ctx(), "1201", schemas.GuestChange{Guest: &schemas.GuestPatch{Last: ptr("Second")}}))
	b.eventually("the first call to start", func() (bool, string) { return b.zoomCalls(zoom.OpUpdateUser) > 0, "" })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("stop used up its grace")
	}
	if got := b.user(1201).DisplayName; got != "First 1201" && got != "Second 1201" {
		t.Fatalf("after a soft stop 1201 shows %q: the event in progress did not finish", got)
	}
	b.start()
	b.finishedAt(second)
	if got := b.user(1201).DisplayName; got != "Second 1201" {
		t.Fatalf("1201 shows %q, want the handed-back event applied", got)
	}
	if n := b.zoomCalls(zoom.OpUpdateUser); n > 3 {
		t.Errorf("%d user updates for two events", n)
	}
}
