package producer

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/pbxlink/pbxlink/schemas"
)

var moveData = schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace"}, Mailbox: &schemas.Mailbox{RoomID: "1410"}, Tenant: "Grand Hotel", Site: "Main"}

func TestMove(t *testing.T) {
	js := startJetStream(t)
	st := createStream(t, js, nil)
	rec := &recordingJS{JetStream: js}
	p := newProducer(t, rec, testConfig())
	res, err := p.Move(context.Background(), "1203", "1410", moveData, WithID("opera-77"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"publish pbxlink.ext.1203.checkout", "ack pbxlink.ext.1203.checkout", "publish pbxlink.ext.1410.checkin", "ack pbxlink.ext.1410.checkin"}
	if got := rec.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	if res.CheckOut == nil || res.CheckIn == nil || res.CheckOut.Ack.Sequence >= res.CheckIn.Ack.Sequence {
		t.Fatalf("MoveResult %+v", res)
	}
	out := checkStored(t, st, res.CheckOut)
	if want := (schemas.CheckOut{Tenant: "Grand Hotel", Site: "Main"}); !reflect.DeepEqual(out.Payload, want) {
		t.Errorf("check-out payload %#v, want %#v", out.Payload, want)
	}
	in := checkStored(t, st, res.CheckIn)
	if !reflect.DeepEqual(in.Payload, moveData) {
		t.Errorf("check-in payload %#v", in.Payload)
	}
	if out.Event.ID != "opera-77-checkout" || in.Event.ID != "opera-77-checkin" {
		t.Errorf("ids %q, %q", out.Event.ID, in.Event.ID)
	}

	// Resending the same move is dropped by the stream.
	again, err := p.Move(context.Background(), "1203", "1410", moveData, WithID("opera-77"))
	if err != nil {
		t.Fatal(err)
	}
	if !again.CheckOut.Ack.Duplicate || !again.CheckIn.Ack.Duplicate {
		t.Errorf("resent move not deduplicated: %+v, %+v", again.CheckOut.Ack, again.CheckIn.Ack)
	}
}

func TestMoveSendsNothingWhenInvalid(t *testing.T) {
	js := startJetStream(t)
	createStream(t, js, nil)
	rec := &recordingJS{JetStream: js}
	p := newProducer(t, rec, testConfig())
	tests := []struct {
		name     string
		from, to string
		data     schemas.CheckIn
		wantErr  error
	}{
		{"no guest name", "1203", "1410", schemas.CheckIn{Guest: schemas.Guest{Title: "Dr"}}, schemas.ErrInvalidEvent},
		{"bad from", "12x", "1410", moveData, schemas.ErrInvalidEvent},
		{"bad to", "1203", "", moveData, schemas.ErrInvalidEvent},
		{"same extension", "1203", "1203", moveData, ErrInvalidMove},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := p.Move(context.Background(), tt.from, tt.to, tt.data)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Move error %v, want %v", err, tt.wantErr)
			}
			if res.CheckOut != nil || res.CheckIn != nil {
				t.Errorf("MoveResult %+v", res)
			}
		})
	}
	if calls := rec.Calls(); len(calls) != 0 {
		t.Errorf("invalid moves published: %v", calls)
	}
}

func TestMoveStopsWhenCheckOutFails(t *testing.T) {
	js := startJetStream(t)
	createStream(t, js, nil)
	rec := &recordingJS{JetStream: js, fail: func(context.Context, int, *nats.Msg) error { return nats.ErrConnectionClosed }}
	p := newProducer(t, rec, testConfig())
	res, err := p.Move(context.Background(), "1203", "1410", moveData)
	var pe *PublishError
	if !errors.As(err, &pe) || pe.Subject != "pbxlink.ext.1203.checkout" || !errors.Is(err, nats.ErrConnectionClosed) {
		t.Fatalf("Move error %v", err)
	}
	if res.CheckOut != nil || res.CheckIn != nil {
		t.Errorf("MoveResult %+v", res)
	}
	want := []string{"publish pbxlink.ext.1203.checkout", "error pbxlink.ext.1203.checkout"}
	if got := rec.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

func TestMoveReportsCheckOutWhenCheckInFails(t *testing.T) {
	js := startJetStream(t)
	createStream(t, js, nil)
	rec := &recordingJS{JetStream: js, fail: func(_ context.Context, _ int, msg *nats.Msg) error {
		if msg.Subject == "pbxlink.ext.1410.checkin" {
			return nats.ErrConnectionClosed
		}
		return nil
	}}
	p := newProducer(t, rec, testConfig())
	res, err := p.Move(context.Background(), "1203", "1410", moveData)
	var pe *PublishError
	if !errors.As(err, &pe) || pe.Subject != "pbxlink.ext.1410.checkin" {
		t.Fatalf("Move error %v", err)
	}
	if res.CheckOut == nil || res.CheckIn != nil {
		t.Errorf("MoveResult %+v, want the check-out only", res)
	}
}
