package consumer_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestRetriesThenDeadLetter: while Zoom fails, an event is tried
// --retries times, --retry-interval apart (never redelivered at once), then
// dead-lettered with the contract's headers; later events still apply once
// Zoom is back.
func TestRetriesThenDeadLetter(t *testing.T) {
	t.Parallel()
	const interval = 400 * time.Millisecond
	b := setup(t, options{worker: func(c *consumer.Config) { c.Retries = 3; c.RetryInterval = interval }})
	b.start()
	if err := b.sim.SetFaults(zoomsim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "Noether"}})))
	if n := len(b.deadLetters()); n != 1 {
		t.Fatalf("%d dead letters, want the event that failed every attempt", n)
	}
	var attempts []time.Time
	for _, e := range b.sim.Journal() {
		if e.OperationID == zoom.OpUpdateUser.ID {
			attempts = append(attempts, e.Time)
		}
	}
	if len(attempts) != 3 {
		t.Fatalf("%d attempts, want 3", len(attempts))
	}
	for i := 1; i < len(attempts); i++ {
		if gap := attempts[i].Sub(attempts[i-1]); gap < interval {
			t.Errorf("attempt %d came %v after the previous one, before the %v interval", i+1, gap, interval)
		}
	}
	dl := b.deadLetters()[0]
	checkDeadLetter(t, dl, "pbxlink.ext.1201.checkin", "3", "gave up after 3 attempts")

	if err := b.sim.SetFaults(zoomsim.Faults{}); err != nil {
		t.Fatal(err)
	}
	must[any](t)(b.prod.GuestChange(b.ctx(), "1201", schemas.GuestChange{Guest: &schemas.GuestPatch{First: ptr("Emmy")}}))
	b.eventually("the next event of the extension", func() (bool, string) {
		return b.user(1201).DisplayName == "Emmy Noether 1201", b.user(1201).DisplayName
	})
}

func checkDeadLetter(t *testing.T, dl *jetstreamMsg, subject, attempts, reason string) {
	t.Helper()
	if want := "pbxlink.dlq." + strings.TrimPrefix(subject, "pbxlink."); dl.Subject != want {
		t.Errorf("dead letter on %q, want %q", dl.Subject, want)
	}
	h := dl.Header
	if h.Get(schemas.HeaderOriginalSubject) != subject || h.Get(schemas.HeaderAttempts) != attempts ||
		!strings.Contains(h.Get(schemas.HeaderError), reason) {
		t.Errorf("headers %v; want subject %s, attempts %s, reason containing %q", h, subject, attempts, reason)
	}
	if seq, err := strconv.ParseUint(h.Get(schemas.HeaderOriginalSeq), 10, 64); err != nil || seq == 0 {
		t.Errorf("Pbxlink-Original-Seq %q", h.Get(schemas.HeaderOriginalSeq))
	}
}

// TestPermanentZoomErrorsGoStraightToTheDLQ: a change that cannot be made
// (no Zoom user or common area has the extension) is dead-lettered after
// one attempt, and the other extensions' events apply.
func TestPermanentZoomErrorsGoStraightToTheDLQ(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.start()
	must[any](t)(b.prod.CheckIn(b.ctx(), "1299", schemas.CheckIn{Guest: schemas.Guest{Last: "Nobody"}}))
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Lamarr"}})))
	if got := b.user(1202).DisplayName; got != "Lamarr 1202" {
		t.Fatalf("display name %q, want the later event's", got)
	}
	dl := b.deadLetters()
	if len(dl) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dl))
	}
	checkDeadLetter(t, dl[0], "pbxlink.ext.1299.checkin", "1", "no Zoom user or common area has this extension")
}

// TestRefusedNameFallsBackToTheExtension: Zoom refuses a name with a word
// it bans (400 code 300). Retrying cannot help and the stay must not be
// lost: the room shows the name without guest fields (the extension), the
// event is not dead-lettered, and the extension's later events apply.
func TestRefusedNameFallsBackToTheExtension(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	b := setup(t, options{
		sim:    func(c *zoomsim.Config) { c.BannedWords = []string{"forbidden"} },
		worker: func(c *consumer.Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) },
	})
	b.start()
	seq := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{First: "Hedy", Last: "Forbidden"}}))
	b.finishedAt(seq)
	if got := b.user(1202).DisplayName; got != "1202" {
		t.Fatalf("display name %q, want the extension alone", got)
	}
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("%d dead letters, want none", len(dl))
	}
	if out := logs.String(); !strings.Contains(out, "Zoom refused the guest's name") || strings.Contains(out, "Hedy") {
		t.Errorf("want one warning without the guest's name:\n%s", out)
	}
	seq = must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Lamarr"}}))
	b.finishedAt(seq)
	if got := b.user(1202).DisplayName; got != "Lamarr 1202" {
		t.Fatalf("display name %q, want the later event's", got)
	}
}

// TestBadEventsGoStraightToTheDLQ publishes each kind of bad event; each is
// dead-lettered at once, body unchanged, with a reason naming the problem,
// and a good event after them applies.
func TestBadEventsGoStraightToTheDLQ(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.start()
	good := func(ext, typ string, mutate func(map[string]any)) []byte {
		ev := map[string]any{"specversion": "1.0", "id": "bad-" + typ + "-" + ext, "source": "pms/test", "type": "pbxlink." + typ,
			"time": "2026-11-23T14:05:00Z", "subject": ext, "data": map[string]any{"guest": map[string]any{"first": "Ada"}}}
		if mutate != nil {
			mutate(ev)
		}
		body, _ := json.Marshal(ev)
		return body
	}
	tests := []struct {
		name, subject string
		body          []byte
		reason        string
	}{
		{"not JSON", "pbxlink.ext.1203.checkin", []byte(`{"specversion":`), "not valid JSON"},
		{"not CloudEvents", "pbxlink.ext.1203.checkin", []byte(`{"hello":"world"}`), "required"},
		{"unknown type", "pbxlink.ext.1203.teleport", good("1203", "teleport", nil), "type"},
		{"subject mismatch", "pbxlink.ext.1203.checkin", good("1204", "checkin", nil), "subject"},
		{"type mismatch", "pbxlink.ext.1203.checkout", good("1203", "checkin", nil), "type"},
		{"schema violation", "pbxlink.ext.1203.checkin", good("1203", "checkin", func(m map[string]any) {
			m["data"] = map[string]any{"guest": map[string]any{"first": strings.Repeat("x", 300)}}
		}), "data.guest.first"},
		{"oversized", "pbxlink.ext.1203.checkin", bytes.Repeat([]byte(" "), schemas.MaxEventSize+1), "oversized"},
		{"not an extension", "pbxlink.ext.lobby.checkin", good("lobby", "checkin", nil), "does not name an extension"},
	}
	seqs := map[string]string{} // stream sequence → test name
	for _, tt := range tests {
		m := nats.NewMsg(tt.subject)
		m.Data = tt.body
		m.Header.Set(schemas.HeaderMsgID, "bad-"+tt.name)
		ack, err := b.js.PublishMsg(b.ctx(), m)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		seqs[strconv.FormatUint(ack.Sequence, 10)] = tt.name
	}
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1203", schemas.CheckIn{Guest: schemas.Guest{Last: "Curie"}})))
	if got := b.user(1203).DisplayName; got != "Curie 1203" {
		t.Fatalf("display name %q: the good event after the bad ones must apply", got)
	}
	dl := b.deadLetters()
	if len(dl) != len(tests) {
		t.Fatalf("%d dead letters, want %d", len(dl), len(tests))
	}
	byName := map[string]*jetstreamMsg{}
	for _, m := range dl {
		byName[seqs[m.Header.Get(schemas.HeaderOriginalSeq)]] = m
	}
	for _, tt := range tests {
		m := byName[tt.name]
		if m == nil {
			t.Errorf("%s: no dead letter", tt.name)
			continue
		}
		checkDeadLetter(t, m, tt.subject, "1", tt.reason)
		if !bytes.Equal(m.Data, tt.body) {
			t.Errorf("%s: the dead letter's body differs from the event's", tt.name)
		}
	}
}

// TestOrderThroughRetries: an event waiting for its retry holds back the
// later events of its extension only; other extensions go on, and the
// extension ends in the state of its last event.
func TestOrderThroughRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, options{
		worker: func(c *consumer.Config) { c.RetryInterval = time.Second },
	})
	b.start()
	// Zoom fails every call for a moment: the first event of 1201 fails
	// and waits a second for its retry.
	if err := b.sim.SetFaults(zoomsim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	must[any](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "First"}}))
	b.eventually("the first attempt", func() (bool, string) { return b.zoomCalls(zoom.OpUpdateUser) > 0, "" })
	if err := b.sim.SetFaults(zoomsim.Faults{}); err != nil {
		t.Fatal(err)
	}
	second := must[*producer.Result](t)(b.prod.GuestChange(b.ctx(), "1201", schemas.GuestChange{Guest: &schemas.GuestPatch{Last: ptr("Second")}}))
	must[any](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Other"}}))
	b.eventually("the other extension", func() (bool, string) { return b.user(1202).DisplayName == "Other 1202", b.user(1202).DisplayName })
	if got := b.user(1201).DisplayName; got == "Second 1201" {
		t.Fatalf("1201 shows %q before its first event's retry: the second event overtook it", got)
	}
	b.finishedAt(second)
	if got := b.user(1201).DisplayName; got != "Second 1201" {
		t.Fatalf("1201 shows %q, want the last event's name", got)
	}
}

// TestUnknownExtensionsCostLittle: events for extensions Zoom does not know
// are dead-lettered without a state record each, and a burst of them does
// not turn into a burst of lookups in Zoom.
func TestUnknownExtensionsCostLittle(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("lookups spread at one a second take about 10 s")
	}
	const unknown = 20 // a burst of 10 lookups, then 10 at one a second
	b := setup(t, options{})
	b.start()
	var last *producer.Result
	for i := range unknown {
		last = must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), strconv.Itoa(7000+i), schemas.CheckIn{Guest: schemas.Guest{Last: "Nobody"}}))
	}
	b.finishedSeqWithin(last.Ack.Sequence, 60*time.Second)
	if n := len(b.deadLetters()); n != unknown {
		t.Fatalf("%d dead letters, want %d", n, unknown)
	}
	kv := must[jetstream.KeyValue](t)(b.js.KeyValue(b.ctx(), "pbxlink-state"))
	keys, _ := kv.ListKeys(b.ctx())
	for k := range keys.Keys() {
		if strings.HasPrefix(k, "ext.70") {
			t.Errorf("state key %s kept for an unknown extension", k)
		}
	}
	// 20 lookups within about 10 s, at one a second after a burst of 10:
	// the calls are spread, not sent at once.
	var first, last20 time.Time
	n := 0
	for _, e := range b.sim.Journal() {
		if e.OperationID == zoom.OpListPhoneUsers.ID && strings.Contains(e.Query, "keyword=70") {
			n++
			if n == 1 {
				first = e.Time
			}
			if n == 20 {
				last20 = e.Time
			}
		}
	}
	if n != unknown || last20.Sub(first) < 8*time.Second {
		t.Fatalf("%d lookups, the 20th %v after the first; want %d, spread at one a second after a burst of 10", n, last20.Sub(first), unknown)
	}
}
