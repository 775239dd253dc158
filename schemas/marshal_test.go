package schemas

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var testTime = time.Date(2026, 11, 23, 14, 5, 0, 123456789, time.UTC)

// newTestEvent returns the event of NewEvent with ID, Source and Time set.
func newTestEvent(t *testing.T, ext string, typ Type, data any) Event {
	t.Helper()
	ev, err := NewEvent(ext, typ, data)
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	ev.ID, ev.Source, ev.Time = "id-1", "pms/test", testTime
	return ev
}

func TestMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		data Payload
	}{
		{"checkin", CheckIn{Guest: Guest{First: "Ada", Last: "Lovelace", Title: "Dr", VIP: "VIP", Language: "en", Reservation: "778812"}, Mailbox: &Mailbox{Description: "Lovelace party", RoomID: "1203"}, Tenant: "Grand Hotel", Site: "Main"}},
		{"checkin minimal", CheckIn{Guest: Guest{Last: "Lovelace"}}},
		{"guest change all", GuestChange{Guest: &GuestPatch{First: new("A"), Last: new("B"), Title: new(""), VIP: new("VIP"), Language: new("fr"), Reservation: new("1")}, Mailbox: &MailboxPatch{Description: new(""), RoomID: new("9")}, Tenant: new(""), Site: new("S")}},
		{"guest change one", GuestChange{Tenant: new("")}},
		{"checkout", CheckOut{Mailbox: &Mailbox{RoomID: "1203"}, Tenant: "T"}},
		{"checkout empty", CheckOut{}},
		{"dnd on", DND{On: true}},
		{"dnd off", DND{}},
		{"clearmessages", ClearMessages{}},
		{"extension", Extension{Last: new("Desk"), Department: new("")}},
		{"extension empty", Extension{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := newTestEvent(t, "1203", tt.data.Type(), tt.data)
			b, err := Marshal(ev)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if err := Validate(ev); err != nil {
				t.Errorf("Validate: %v", err)
			}
			d, err := Parse(EventSubject("1203", tt.data.Type()), b)
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, b)
			}
			if !reflect.DeepEqual(d.Payload, tt.data) {
				t.Errorf("Payload = %#v, want %#v", d.Payload, tt.data)
			}
			if !d.Event.Time.Equal(testTime) {
				t.Errorf("Time = %v, want %v", d.Event.Time, testTime)
			}
			if d.Event.ID != ev.ID || d.Event.Source != ev.Source || d.Event.Type != ev.Type || d.Event.Subject != "1203" ||
				d.Event.SpecVersion != SpecVersion || d.Event.DataContentType != DataContentTypeJSON {
				t.Errorf("Event = %+v, want %+v", d.Event, ev)
			}
		})
	}
}

func TestNewEvent(t *testing.T) {
	tests := []struct {
		name     string
		typ      Type
		data     any
		wantData string
		wantErr  string // field and rule, "" for success
	}{
		{"payload", TypeDND, DND{On: true}, `{"on":true}`, ""},
		{"payload pointer", TypeDND, &DND{On: true}, `{"on":true}`, ""},
		{"nil", TypeClearMessages, nil, `{}`, ""},
		{"nil pointer", TypeCheckIn, (*CheckIn)(nil), `{}`, ""},
		{"raw JSON", TypeDND, json.RawMessage(`{"on":false}`), `{"on":false}`, ""},
		{"map", TypeExtension, map[string]string{"first": "A"}, `{"first":"A"}`, ""},
		{"other payload type", TypeCheckIn, DND{}, "", "type must equal pbxlink.dnd"},
		{"unknown type", Type("nope"), DND{}, "", "type enum"},
		{"bad raw JSON", TypeDND, json.RawMessage(`{`), "", "data JSON"},
		{"not encodable", TypeDND, map[string]any{"on": make(chan int)}, "", "data JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := NewEvent("1203", tt.typ, tt.data)
			if tt.wantErr != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Field+" "+ve.Rule != tt.wantErr {
					t.Fatalf("NewEvent error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewEvent: %v", err)
			}
			if string(ev.Data) != tt.wantData {
				t.Errorf("Data = %s, want %s", ev.Data, tt.wantData)
			}
			want := Event{SpecVersion: "1.0", Type: tt.typ.EventType(), Subject: "1203", DataContentType: "application/json", Data: ev.Data}
			if !reflect.DeepEqual(ev, want) {
				t.Errorf("Event = %+v, want %+v", ev, want)
			}
		})
	}
}

func TestMarshalRejects(t *testing.T) {
	valid := func(t *testing.T) Event { return newTestEvent(t, "1203", TypeDND, DND{On: true}) }
	tests := []struct {
		name      string
		edit      func(*Event)
		wantField string
		wantRule  string
	}{
		{"zero time", func(e *Event) { e.Time = time.Time{} }, "time", "required"},
		{"year 10000", func(e *Event) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "time", "format date-time"},
		{"no data", func(e *Event) { e.Data = nil }, "data", "required"},
		{"bad data", func(e *Event) { e.Data = json.RawMessage(`{"on":`) }, "data", "JSON"},
		{"unknown type", func(e *Event) { e.Type = "dnd" }, "type", "enum"},
		{"bad extension", func(e *Event) { e.Subject = "12 3" }, "subject", "1 to 15 digits, no leading zero"},
		{"empty extension", func(e *Event) { e.Subject = "" }, "subject", "1 to 15 digits, no leading zero"},
		{"empty id", func(e *Event) { e.ID = "" }, "id", "minLength 1"},
		{"long source", func(e *Event) { e.Source = strings.Repeat("s", 300) }, "source", "maxLength 256"},
		{"spec version", func(e *Event) { e.SpecVersion = "" }, "specversion", `const "1.0"`},
		{"data schema", func(e *Event) { e.Data = json.RawMessage(`{"on":1}`) }, "data.on", "type boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := valid(t)
			tt.edit(&ev)
			b, err := Marshal(ev)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Marshal = %s, %v; want a *ValidationError", b, err)
			}
			if ve.Field != tt.wantField || ve.Rule != tt.wantRule {
				t.Errorf("got %v, want field %q rule %q", err, tt.wantField, tt.wantRule)
			}
			if verr := Validate(ev); verr == nil || verr.Error() != err.Error() {
				t.Errorf("Validate = %v, want %v", verr, err)
			}
		})
	}
}
