package consumer_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestAppDeactivatedPausesWithoutDeadLetters: while Zoom refuses the app
// (deactivated), no event is dead-lettered and none uses an attempt; the
// worker says why it is not ready; once the app is active again every event
// applies by itself.
func TestAppDeactivatedPausesWithoutDeadLetters(t *testing.T) {
	t.Parallel()
	b := setup(t, options{worker: func(c *consumer.Config) {
		c.Retries = 1 // one failed attempt would dead-letter
		c.ProbeInterval = 300 * time.Millisecond
	}})
	w := b.start()
	b.sim.SetAppActivated(false)
	var last *producer.Result
	for i := range 10 {
		ext := fmt.Sprint(1201 + i%5)
		last = must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), ext, schemas.CheckIn{Guest: schemas.Guest{Last: fmt.Sprint("Paused", i)}}))
	}
	b.eventually("the worker to say it is paused", func() (bool, string) {
		err := w.Ready(b.ctx())
		return err != nil && strings.Contains(err.Error(), "paused"), fmt.Sprint(err)
	})
	// Events keep arriving at the paused fleet: every one is delivered and
	// handed back (at least as many deferrals as events), none uses up its
	// one attempt.
	events := b.env.WorkerConsumer()
	b.eventually("every event delivered and deferred during the pause", func() (bool, string) {
		info, err := events.Info(b.ctx())
		if err != nil {
			return false, err.Error()
		}
		n := b.outcomes(consumer.OutcomeDeferred)
		return info.NumPending == 0 && n >= 10, fmt.Sprintf("%d undelivered, %d deferrals", info.NumPending, n)
	})
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("%d dead letters during the pause: %s", len(dl), dl[0].Header.Get(schemas.HeaderError))
	}
	b.sim.SetAppActivated(true)
	b.finishedSeqWithin(last.Ack.Sequence, 40*time.Second)
	for i := 5; i < 10; i++ {
		if got, want := b.user(int64(1201+i%5)).DisplayName, fmt.Sprintf("Paused%d %d", i, 1201+i%5); got != want {
			t.Errorf("%d shows %q, want %q", 1201+i%5, got, want)
		}
	}
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("%d dead letters", len(dl))
	}
	if err := w.Ready(b.ctx()); err != nil {
		t.Fatalf("not ready after the app came back: %v", err)
	}
}

// TestPresenceForAUserNotSignedIn: Zoom refuses presence (400 code 5301)
// for a room user with only a desk phone. Outside the one-change-a-minute
// rule that is not a wait: check-out finishes without do-not-disturb, its
// voicemail is cleared, one line says so, and the room's next check-in
// applies at once.
func TestPresenceForAUserNotSignedIn(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	b := setup(t, options{
		sim:    func(c *zoomsim.Config) { c.Seed.RoomsNotSignedIn = true },
		worker: func(c *consumer.Config) { c.MessageManagement = true; c.Logger = jsonLogger(&logs) },
	})
	b.start()
	must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1204", schemas.CheckIn{Guest: schemas.Guest{Last: "Desk"}}))
	must[*producer.Result](t)(b.prod.DND(b.ctx(), "1204", true))
	must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1204", schemas.CheckOut{}))
	res := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1204", schemas.CheckIn{Guest: schemas.Guest{Last: "Next"}}))
	b.finishedAt(res)
	if got := b.user(1204).DisplayName; got != "Next 1204" {
		t.Fatalf("1204 shows %q, want the next guest", got)
	}
	if vms := b.sim.Voicemails(b.user(1204).ID); len(vms) != 0 {
		t.Fatalf("%d voicemails left after check-out and check-in", len(vms))
	}
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("%d dead letters", len(dl))
	}
	if n := strings.Count(logs.String(), "Zoom cannot set presence for this user"); n != 1 {
		t.Fatalf("%d log lines about presence, want 1:\n%s", n, logs.String())
	}
}

func jsonLogger(w *syncBuffer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
