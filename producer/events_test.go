package producer

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// checkStored reads the message res says was stored and checks its
// subject, headers and body, and returns what Parse made of the body.
func checkStored(t *testing.T, st jetstream.Stream, res *Result) schemas.Decoded {
	t.Helper()
	msg, err := st.GetMsg(context.Background(), res.Ack.Sequence)
	if err != nil {
		t.Fatalf("GetMsg(%d): %v", res.Ack.Sequence, err)
	}
	if msg.Subject != res.Subject {
		t.Errorf("stored on %q, Result says %q", msg.Subject, res.Subject)
	}
	if got := msg.Header.Get(schemas.HeaderMsgID); got != res.Event.ID || got == "" {
		t.Errorf("Nats-Msg-Id = %q, want %q", got, res.Event.ID)
	}
	if got := msg.Header.Get(schemas.HeaderContentType); got != schemas.ContentTypeCloudEvents {
		t.Errorf("Content-Type = %q", got)
	}
	d, err := schemas.Parse(msg.Subject, msg.Data)
	if err != nil {
		t.Fatalf("the stored event does not parse: %v", err)
	}
	if d.Event.ID != res.Event.ID || d.Event.Source != "pms/test-hotel" || !d.Event.Time.Equal(res.Event.Time) {
		t.Errorf("stored event %+v, Result event %+v", d.Event, res.Event)
	}
	return d
}

func TestTypedMethods(t *testing.T) {
	js := startJetStream(t)
	st := createStream(t, js, nil)
	p := newProducer(t, js, testConfig())
	ctx := context.Background()
	checkin := schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace", VIP: "VIP"}, Mailbox: &schemas.Mailbox{RoomID: "1203"}, Tenant: "Grand Hotel"}
	change := schemas.GuestChange{Guest: &schemas.GuestPatch{VIP: new("")}}
	ext := schemas.Extension{First: new("Front"), Last: new("Desk")}
	tests := []struct {
		name        string
		publish     func() (*Result, error)
		wantSubject string
		want        schemas.Payload
	}{
		{"CheckIn", func() (*Result, error) { return p.CheckIn(ctx, "1203", checkin) }, "pbxlink.ext.1203.checkin", checkin},
		{"GuestChange", func() (*Result, error) { return p.GuestChange(ctx, "1203", change) }, "pbxlink.ext.1203.guest", change},
		{"CheckOut", func() (*Result, error) { return p.CheckOut(ctx, "1203", schemas.CheckOut{Site: "Main"}) }, "pbxlink.ext.1203.checkout", schemas.CheckOut{Site: "Main"}},
		{"DND on", func() (*Result, error) { return p.DND(ctx, "1410", true) }, "pbxlink.ext.1410.dnd", schemas.DND{On: true}},
		{"DND off", func() (*Result, error) { return p.DND(ctx, "1410", false) }, "pbxlink.ext.1410.dnd", schemas.DND{On: false}},
		{"ClearMessages", func() (*Result, error) { return p.ClearMessages(ctx, "1410") }, "pbxlink.ext.1410.clearmessages", schemas.ClearMessages{}},
		{"Extension", func() (*Result, error) { return p.Extension(ctx, "100", ext) }, "pbxlink.ext.100.extension", ext},
		{"Publish payload", func() (*Result, error) { return p.Publish(ctx, "1203", schemas.TypeDND, schemas.DND{On: true}) }, "pbxlink.ext.1203.dnd", schemas.DND{On: true}},
		{"Publish map", func() (*Result, error) {
			return p.Publish(ctx, "1203", schemas.TypeCheckIn, map[string]any{"guest": map[string]string{"last": "Byron"}})
		}, "pbxlink.ext.1203.checkin", schemas.CheckIn{Guest: schemas.Guest{Last: "Byron"}}},
		{"Publish raw JSON", func() (*Result, error) {
			return p.Publish(ctx, "1203", schemas.TypeExtension, json.RawMessage(`{"department":"Spa"}`))
		}, "pbxlink.ext.1203.extension", schemas.Extension{Department: new("Spa")}},
		{"Publish nil", func() (*Result, error) { return p.Publish(ctx, "1203", schemas.TypeClearMessages, nil) }, "pbxlink.ext.1203.clearmessages", schemas.ClearMessages{}},
	}
	var lastSeq uint64
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.publish()
			if err != nil {
				t.Fatal(err)
			}
			if res.Subject != tt.wantSubject || res.Attempts != 1 || res.Ack.Stream != schemas.StreamEvents || res.Ack.Duplicate {
				t.Errorf("Result = %+v", res)
			}
			if res.Ack.Sequence != lastSeq+1 {
				t.Errorf("sequence %d, want %d", res.Ack.Sequence, lastSeq+1)
			}
			lastSeq = res.Ack.Sequence
			d := checkStored(t, st, res)
			if !reflect.DeepEqual(d.Payload, tt.want) {
				t.Errorf("stored payload %#v, want %#v", d.Payload, tt.want)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	js := startJetStream(t)
	st := createStream(t, js, nil)
	p := newProducer(t, js, testConfig())
	at := testTime.Add(-time.Hour)
	res, err := p.DND(context.Background(), "1203", true, WithID("opera-000481"), WithTime(at), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := checkStored(t, st, res)
	if d.Event.ID != "opera-000481" || !d.Event.Time.Equal(at) {
		t.Errorf("stored id %q time %v", d.Event.ID, d.Event.Time)
	}
}
