package consumer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// TestWorkerPaused: Worker.Paused tells the fleet's account pause (what
// the call-record poller asks before it reads Zoom): the reason while
// account.pause is set, nil once it is removed; before Start, the pause is
// not known, which counts as paused.
func TestWorkerPaused(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	w := must[*consumer.Worker](t)(consumer.New(b.cfg))
	if err := w.Paused(context.Background()); err == nil {
		t.Fatal("a worker not started says Zoom work may go on")
	}
	w = b.start()
	if err := w.Paused(b.ctx()); err != nil {
		t.Fatalf("Paused = %v on a fleet that is not paused", err)
	}
	kv := must[jetstream.KeyValue](t)(b.js.KeyValue(b.ctx(), broker.BucketFleet))
	must[uint64](t)(kv.Put(b.ctx(), "account.pause",
		[]byte(`{"reason":"Zoom refused the app's credentials","since":"`+time.Now().UTC().Format(time.RFC3339)+`","by":"other"}`)))
	b.eventually("Paused to report the fleet's pause", func() (bool, string) {
		err := w.Paused(b.ctx())
		return errors.Is(err, consumer.ErrPaused) && strings.Contains(err.Error(), "Zoom refused the app's credentials"), ""
	})
	if err := kv.Delete(b.ctx(), "account.pause"); err != nil {
		t.Fatal(err)
	}
	b.eventually("Paused to clear with the pause", func() (bool, string) { return w.Paused(b.ctx()) == nil, "" })
}
