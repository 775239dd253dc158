package consumer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// script is a random sequence of stays over the rooms 1201-1205, with the
// names each room should show after each of its events, in publish order.
type script struct {
	events []scriptEvent
	shown  map[int64][]string // extension → display names in order
}

type scriptEvent struct {
	ext  int64
	kind schemas.Type
	last string
}

func newScript(n int, seed uint64) script {
	r := rand.New(rand.NewPCG(seed, 1))
	s := script{shown: map[int64][]string{}}
	for i := range n {
		ext := int64(1201 + r.IntN(5))
		ev := scriptEvent{ext: ext, last: "G" + strconv.Itoa(i)}
		display := ev.last + " " + strconv.FormatInt(ext, 10)
		switch r.IntN(3) {
		case 0:
			ev.kind = schemas.TypeCheckIn
		case 1:
			ev.kind = schemas.TypeGuest
		default:
			ev.kind, display = schemas.TypeCheckOut, strconv.FormatInt(ext, 10)
		}
		s.events = append(s.events, ev)
		s.shown[ext] = append(s.shown[ext], display)
	}
	return s
}

// publish publishes one event of a script and returns what the stream
// stored.
func (b *bundle) publish(ev scriptEvent) *producer.Result {
	b.t.Helper()
	ext := strconv.FormatInt(ev.ext, 10)
	var r *producer.Result
	var err error
	switch ev.kind {
	case schemas.TypeCheckIn:
		r, err = b.prod.CheckIn(b.ctx(), ext, schemas.CheckIn{Guest: schemas.Guest{Last: ev.last}})
	case schemas.TypeGuest:
		r, err = b.prod.GuestChange(b.ctx(), ext, schemas.GuestChange{Guest: &schemas.GuestPatch{Last: &ev.last}})
	case schemas.TypeCheckOut:
		r, err = b.prod.CheckOut(b.ctx(), ext, schemas.CheckOut{})
	default:
		err = fmt.Errorf("script event of type %q", ev.kind)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// checkOrder checks every room's final name against the script, and that
// the names Zoom was given came in publish order: each a later entry of
// the room's sequence than the one before (repeats of a name that was
// already shown are allowed: a redelivery may repeat a call).
func (b *bundle) checkOrder(s script) {
	b.t.Helper()
	sent := map[string][]string{} // user id → display names sent, in order
	for _, e := range b.sim.Journal() {
		if e.OperationID == zoom.OpUpdateUser.ID && e.Status/100 == 2 {
			var body struct {
				DisplayName string `json:"display_name"`
			}
			_ = json.Unmarshal(e.RequestBody, &body)
			id := e.Path[len("/v2/users/"):]
			sent[id] = append(sent[id], body.DisplayName)
		}
	}
	for ext, want := range s.shown {
		u := b.user(ext)
		if got := u.DisplayName; got != want[len(want)-1] {
			b.t.Errorf("%d shows %q, want the last event's %q", ext, got, want[len(want)-1])
		}
		pos := -1
		for _, name := range sent[u.ID] {
			i := pos
			for i < len(want) && (i < 0 || want[i] != name) {
				i++
			}
			if i == len(want) {
				// Not found at or after pos: an older name came back.
				b.t.Errorf("%d: %q applied out of order (after %q); sent %v", ext, name, want[max(pos, 0)], sent[u.ID])
				break
			}
			pos = i
		}
	}
	if dl := b.deadLetters(); len(dl) != 0 {
		b.t.Errorf("%d dead letters, first: %s", len(dl), dl[0].Header.Get(schemas.HeaderError))
	}
}

// TestWorkerRestartLosesNothing stops the worker abruptly mid-stream (its
// grace ends at once) and starts another: every event takes effect, in
// order, none is dead-lettered.
func TestWorkerRestartLosesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, options{sim: func(c *zoomsim.Config) { c.Faults = zoomsim.Faults{Latency: 3 * time.Millisecond} }})
	s := newScript(150, 1)
	w := b.start()
	var last *producer.Result
	for i, ev := range s.events {
		last = b.publish(ev)
		if i == 60 {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // no grace: events in progress are cut off and handed back
			_ = w.Stop(ctx)
			w = b.start()
		}
	}
	b.finishedAt(last)
	b.checkOrder(s)
}

// TestNATSRestartLosesNothing restarts the embedded server (same port, same
// store) while events flow: the worker reconnects and every event takes
// effect, in order.
func TestNATSRestartLosesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, options{sim: func(c *zoomsim.Config) { c.Faults = zoomsim.Faults{Latency: 3 * time.Millisecond} }})
	s := newScript(120, 2)
	b.start()
	var last *producer.Result
	for i, ev := range s.events {
		if i == 50 {
			b.env.Stop()
			time.Sleep(200 * time.Millisecond) // NATS down a while: the worker's fetches fail
			b.env.Start()
		}
		last = b.publish(ev)
	}
	b.finishedAt(last)
	b.checkOrder(s)
}
