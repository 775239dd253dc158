package consumer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// TestDeauthorizeOutlastsTheProbe: a de-authorization pauses every
// replica's Zoom work, and the probe does not lift it although Zoom answers;
// events wait without using attempts; removing the key (the operator's
// command) resumes the work and the waiting event applies.
func TestDeauthorizeOutlastsTheProbe(t *testing.T) {
	t.Parallel()
	b := setup(t, options{worker: func(c *consumer.Config) {
		c.Retries = 1
		c.ProbeInterval = 100 * time.Millisecond
	}})
	w := b.start()
	other := b.start() // a second replica
	const reason = "the Zoom app was de-authorized (test)"
	if err := w.Deauthorize(b.ctx(), reason); err != nil {
		t.Fatal(err)
	}
	if err := w.Ready(b.ctx()); err == nil || !strings.Contains(err.Error(), reason) {
		t.Fatalf("Ready = %v right after Deauthorize, want the reason", err)
	}
	b.eventually("the other replica to pause", func() (bool, string) {
		err := other.Ready(b.ctx())
		return err != nil && strings.Contains(err.Error(), reason), fmt.Sprint(err)
	})
	res := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "Waiting"}}))
	b.heldBack(0, 2, w, other) // ten probe intervals, Zoom answering
	for i, r := range []*consumer.Worker{w, other} {
		if err := r.Ready(b.ctx()); err == nil || !strings.Contains(err.Error(), reason) {
			t.Fatalf("replica %d: Ready = %v after the probes, want the de-authorization kept", i, err)
		}
	}
	if got := b.user(1201).DisplayName; strings.Contains(got, "Waiting") {
		t.Fatalf("1201 shows %q during the de-authorization", got)
	}
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("%d dead letters during the de-authorization", len(dl))
	}
	kv := must[jetstream.KeyValue](t)(b.js.KeyValue(b.ctx(), broker.BucketFleet))
	if err := kv.Delete(b.ctx(), "account.pause"); err != nil { // nats kv del pbxlink-fleet account.pause -f
		t.Fatal(err)
	}
	b.finishedAt(res)
	if got := b.user(1201).DisplayName; got != "Waiting 1201" {
		t.Fatalf("1201 shows %q after the key was removed", got)
	}
	for i, r := range []*consumer.Worker{w, other} {
		if err := r.Ready(b.ctx()); err != nil {
			t.Fatalf("replica %d not ready after the key was removed: %v", i, err)
		}
	}
}

// TestDeauthorizeOverARefusal: a de-authorization arriving while the fleet
// is already paused for refused credentials replaces that pause, and Zoom
// answering again does not lift it.
func TestDeauthorizeOverARefusal(t *testing.T) {
	t.Parallel()
	b := setup(t, options{worker: func(c *consumer.Config) {
		c.Retries = 1
		c.ProbeInterval = 100 * time.Millisecond
	}})
	w := b.start()
	b.sim.SetAppActivated(false)
	must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Refused"}}))
	b.eventually("the refusal pause", func() (bool, string) {
		err := w.Ready(b.ctx())
		return err != nil && strings.Contains(err.Error(), "paused"), fmt.Sprint(err)
	})
	const reason = "the Zoom app was de-authorized (test)"
	if err := w.Deauthorize(b.ctx(), reason); err != nil {
		t.Fatal(err)
	}
	b.sim.SetAppActivated(true)
	b.heldBack(b.outcomes(consumer.OutcomeDeferred), 2, w) // ten probe intervals, Zoom answering
	if err := w.Ready(b.ctx()); err == nil || !strings.Contains(err.Error(), reason) {
		t.Fatalf("Ready = %v once Zoom answers again, want the de-authorization kept", err)
	}
	if got := b.user(1202).DisplayName; strings.Contains(got, "Refused") {
		t.Fatalf("1202 shows %q during the de-authorization", got)
	}
}

// heldBack waits until the workers have deferred events n times more than
// from (the count of consumer.OutcomeDeferred before), or until one of ws
// is ready (the pause was lifted: what follows says so). During a pause
// an event is held back at least a second (ten of these tests' probe
// intervals) before it is tried again: two deferrals of one event are
// that long a pause in which it used no attempt.
func (b *bundle) heldBack(from, n int, ws ...*consumer.Worker) {
	b.t.Helper()
	b.eventually(fmt.Sprintf("%d more deferrals during the pause", n), func() (bool, string) {
		for _, w := range ws {
			if w.Ready(b.ctx()) == nil {
				return true, "a replica is ready"
			}
		}
		got := b.outcomes(consumer.OutcomeDeferred) - from
		return got >= n, fmt.Sprint(got, " deferrals")
	})
}

// TestDeauthorizeErasesTheGrant: the OAuth app's stored grant (its refresh
// token, sealed) and the fleet's access token are gone once Deauthorize
// returns: the app may no longer act for the account, and a de-authorized
// grant must not be tried again.
func TestDeauthorizeErasesTheGrant(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	w := b.start()
	kv := must[jetstream.KeyValue](t)(b.js.KeyValue(b.ctx(), broker.BucketFleet))
	g := &zoom.Grant{RefreshToken: "rt-secret", Token: zoom.Token{AccessToken: "at-secret", Expiry: time.Now().Add(time.Hour)}}
	if err := fleet.SaveGrant(b.ctx(), kv, "sim-secret", g, fleet.GrantInfo{AccountID: "sim-account", AuthorizedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := w.Deauthorize(b.ctx(), "the Zoom app was de-authorized (test)"); err != nil {
		t.Fatal(err)
	}
	if ok, err := fleet.HasGrant(b.ctx(), kv); ok || err != nil {
		t.Fatalf("HasGrant = %v, %v after Deauthorize, want the grant erased", ok, err)
	}
	for _, key := range []string{fleet.GrantKey, "zoom.token"} {
		if _, err := kv.Get(b.ctx(), key); !errors.Is(err, jetstream.ErrKeyNotFound) {
			t.Errorf("%s after Deauthorize: %v, want it gone", key, err)
		}
	}
}
