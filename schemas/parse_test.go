package schemas

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name    string
		subject string
		edit    map[string]any
		want    Payload
	}{
		{"contract example", testSubject, nil, CheckIn{
			Guest:   Guest{First: "Ada", Last: "Lovelace", Title: "Dr", VIP: "VIP", Language: "en", Reservation: "778812"},
			Mailbox: &Mailbox{Description: "Lovelace party", RoomID: "1203"},
			Tenant:  "Grand Hotel", Site: "Main",
		}},
		{"checkin last name only", testSubject, obj{"data": obj{"guest": obj{"first": "", "last": "Lovelace"}}},
			CheckIn{Guest: Guest{Last: "Lovelace"}}},
		{"checkin empty mailbox", testSubject, obj{"data": obj{"guest": obj{"first": "Ada"}, "mailbox": obj{}}},
			CheckIn{Guest: Guest{First: "Ada"}, Mailbox: &Mailbox{}}},
		{"no datacontenttype", testSubject, obj{"datacontenttype": nil, "data": obj{"guest": obj{"first": "Ada"}}},
			CheckIn{Guest: Guest{First: "Ada"}}},
		{"extension attributes", testSubject, obj{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "partitionkey": 7, "replayed": true, "data": obj{"guest": obj{"last": "L"}}},
			CheckIn{Guest: Guest{Last: "L"}}},
		{"256 characters", testSubject, obj{"data": obj{"guest": obj{"first": strings.Repeat("é", 256)}}},
			CheckIn{Guest: Guest{First: strings.Repeat("é", 256)}}},
		{"guest change", "pbxlink.ext.1203.guest", typed("guest", obj{"guest": obj{"title": ""}, "site": "Annex"}),
			GuestChange{Guest: &GuestPatch{Title: new("")}, Site: new("Annex")}},
		{"guest change mailbox only", "pbxlink.ext.1203.guest", typed("guest", obj{"mailbox": obj{"room_id": "1410"}}),
			GuestChange{Mailbox: &MailboxPatch{RoomID: new("1410")}}},
		{"checkout empty", "pbxlink.ext.1203.checkout", typed("checkout", obj{}), CheckOut{}},
		{"checkout full", "pbxlink.ext.1203.checkout", typed("checkout", obj{"mailbox": obj{"room_id": "1203"}, "tenant": "T", "site": "S"}),
			CheckOut{Mailbox: &Mailbox{RoomID: "1203"}, Tenant: "T", Site: "S"}},
		{"dnd on", "pbxlink.ext.1203.dnd", typed("dnd", obj{"on": true}), DND{On: true}},
		{"dnd off", "pbxlink.ext.1203.dnd", typed("dnd", obj{"on": false}), DND{On: false}},
		{"clearmessages", "pbxlink.ext.1203.clearmessages", typed("clearmessages", obj{}), ClearMessages{}},
		{"extension", "pbxlink.ext.1203.extension", typed("extension", obj{"first": "Front", "department": ""}),
			Extension{First: new("Front"), Department: new("")}},
		{"extension empty", "pbxlink.ext.1203.extension", typed("extension", obj{}), Extension{}},
		{"15 digit extension", "pbxlink.ext.123456789012345.dnd", obj{"subject": "123456789012345", "type": "pbxlink.dnd", "data": obj{"on": true}}, DND{On: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.subject, body(t, tt.edit))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(d.Payload, tt.want) {
				t.Errorf("Payload = %#v, want %#v", d.Payload, tt.want)
			}
			ext, typ, _ := ParseSubject(tt.subject)
			if d.Extension != ext || d.Type != typ || d.Event.Subject != ext || d.Event.Type != typ.EventType() {
				t.Errorf("Decoded = %+v, want extension %s type %s", d, ext, typ)
			}
			if d.Payload.Type() != typ {
				t.Errorf("Payload.Type() = %s, want %s", d.Payload.Type(), typ)
			}
		})
	}
}

func TestParseEnvelope(t *testing.T) {
	d, err := Parse(testSubject, body(t, obj{"time": "2026-11-23t15:05:00.25+01:00"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Event{
		SpecVersion: "1.0", ID: "opera-20261123-000481", Source: "pms/opera-grand-hotel",
		Type: "pbxlink.checkin", Subject: "1203", DataContentType: "application/json",
	}
	got := d.Event
	if !got.Time.Equal(time.Date(2026, 11, 23, 14, 5, 0, 250e6, time.UTC)) {
		t.Errorf("Time = %v", got.Time)
	}
	if len(got.Data) == 0 {
		t.Error("Data is empty")
	}
	got.Time, got.Data = time.Time{}, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Event = %+v, want %+v", got, want)
	}
}

func TestParseRejects(t *testing.T) {
	long := strings.Repeat("x", 257)
	tests := []struct {
		name      string
		subject   string
		body      []byte // used when edit is nil
		edit      map[string]any
		wantField string
		wantRule  string
	}{
		{"oversized", testSubject, []byte(`{"pad":"` + strings.Repeat("x", MaxEventSize) + `"}`), nil, "", "maxSize 65536"},
		{"empty body", testSubject, []byte{}, nil, "", "JSON"},
		{"not JSON", testSubject, []byte(`{"specversion":`), nil, "", "JSON"},
		{"trailing data", testSubject, []byte(`{}{}`), nil, "", "JSON"},
		{"array", testSubject, []byte(`[]`), nil, "", "type object"},
		{"null", testSubject, []byte(`null`), nil, "", "type object"},
		{"specversion 0.3", testSubject, nil, obj{"specversion": "0.3"}, "specversion", `const "1.0"`},
		{"specversion number", testSubject, nil, obj{"specversion": 1.0}, "specversion", `const "1.0"`},
		{"specversion missing", testSubject, nil, obj{"specversion": nil}, "specversion", "required"},
		{"id missing", testSubject, nil, obj{"id": nil}, "id", "required"},
		{"id empty", testSubject, nil, obj{"id": ""}, "id", "minLength 1"},
		{"id too long", testSubject, nil, obj{"id": long}, "id", "maxLength 256"},
		{"id control character", testSubject, nil, obj{"id": "a\r\nb"}, "id", "no control characters"},
		{"id number", testSubject, nil, obj{"id": 7}, "id", "type string"},
		{"source missing", testSubject, nil, obj{"source": nil}, "source", "required"},
		{"source not a URI reference", testSubject, nil, obj{"source": "http://[::1"}, "source", "format uri-reference"},
		{"type unknown", testSubject, nil, obj{"type": "pbxlink.nope"}, "type", "enum"},
		{"type missing", testSubject, nil, obj{"type": nil}, "type", "required"},
		{"time missing", testSubject, nil, obj{"time": nil}, "time", "required"},
		{"time not a time", testSubject, nil, obj{"time": "yesterday"}, "time", "format date-time"},
		{"time without zone", testSubject, nil, obj{"time": "2026-11-23T14:05:00"}, "time", "format date-time"},
		{"time leap second", testSubject, nil, obj{"time": "2026-12-31T23:59:60Z"}, "time", "format date-time"},
		{"subject missing", testSubject, nil, obj{"subject": nil}, "subject", "required"},
		{"subject not digits", testSubject, nil, obj{"subject": "12a3"}, "subject", "1 to 15 digits, no leading zero"},
		{"subject too long", testSubject, nil, obj{"subject": "1234567890123456"}, "subject", "1 to 15 digits, no leading zero"},
		{"subject leading zero", testSubject, nil, obj{"subject": "0123"}, "subject", "1 to 15 digits, no leading zero"},
		{"subject other extension", testSubject, nil, obj{"subject": "1204"}, "subject", "must equal subject token 1203"},
		{"type other than subject's", "pbxlink.ext.1203.dnd", nil, nil, "type", "must equal pbxlink.dnd"},
		{"nats subject extension", "pbxlink.ext.12a.checkin", nil, nil, FieldNATSSubject, "1 to 15 digits, no leading zero"},
		{"nats subject type", "pbxlink.ext.1203.nope", nil, nil, FieldNATSSubject, "enum"},
		{"nats subject shape", "orders.new", nil, nil, FieldNATSSubject, "pbxlink.ext.<extension>.<type>"},
		{"nats subject extra token", "pbxlink.ext.1203.checkin.x", nil, nil, FieldNATSSubject, "pbxlink.ext.<extension>.<type>"},
		{"nats subject empty", "", nil, nil, FieldNATSSubject, "pbxlink.ext.<extension>.<type>"},
		{"datacontenttype", testSubject, nil, obj{"datacontenttype": "text/plain"}, "datacontenttype", `const "application/json"`},
		{"data missing", testSubject, nil, obj{"data": nil}, "data", "required"},
		{"data array", testSubject, nil, obj{"data": []any{}}, "data", "type object"},
		{"data string", testSubject, nil, obj{"data": "{}"}, "data", "type object"},
		{"attribute with capital", testSubject, nil, obj{"Subject": "1203"}, "Subject", "propertyNames"},
		{"data_base64", testSubject, nil, obj{"data_base64": "e30="}, "data_base64", "propertyNames"},
		{"attribute name too long", testSubject, nil, obj{"abcdefghijklmnopqrstu": "x"}, "abcdefghijklmnopqrstu", "propertyNames"},
		{"attribute object value", testSubject, nil, obj{"traceparent": obj{}}, "traceparent", "type boolean or number or string"},
		{"attribute too long", testSubject, nil, obj{"traceparent": strings.Repeat("0", 1025)}, "traceparent", "maxLength 1024"},
		{"checkin guest missing", testSubject, nil, obj{"data": obj{"tenant": "T"}}, "data.guest", "required"},
		{"checkin guest empty", testSubject, nil, obj{"data": obj{"guest": obj{}}}, "data.guest", "first or last required"},
		{"checkin names blank", testSubject, nil, obj{"data": obj{"guest": obj{"first": " ", "last": "\t", "title": "Dr"}}}, "data.guest", "first or last required"},
		{"checkin guest null", testSubject, nil, obj{"data": obj{"guest": nil}}, "data.guest", "type object"},
		{"checkin first too long", testSubject, nil, obj{"data": obj{"guest": obj{"first": long, "last": "L"}}}, "data.guest.first", "maxLength 256"},
		{"checkin first newline", testSubject, nil, obj{"data": obj{"guest": obj{"first": "A\nB"}}}, "data.guest.first", "no control characters"},
		{"checkin first number", testSubject, nil, obj{"data": obj{"guest": obj{"first": 1, "last": "L"}}}, "data.guest.first", "type string"},
		{"checkin typo", testSubject, nil, obj{"data": obj{"guest": obj{"first": "Ada", "frist": "Ada"}}}, "data.guest.frist", "additionalProperties false"},
		{"checkin unknown member", testSubject, nil, obj{"data": obj{"guest": obj{"first": "Ada"}, "room": "1203"}}, "data.room", "additionalProperties false"},
		{"checkin odd member name", testSubject, nil, obj{"data": obj{"guest": obj{"first": "Ada"}, "a.b\n": 1}}, `data."a.b\n"`, "additionalProperties false"},
		{"checkin mailbox room_id number", testSubject, nil, obj{"data": obj{"guest": obj{"first": "Ada"}, "mailbox": obj{"room_id": 1203}}}, "data.mailbox.room_id", "type string"},
		{"checkin tenant too long", testSubject, nil, obj{"data": obj{"guest": obj{"first": "Ada"}, "tenant": long}}, "data.tenant", "maxLength 256"},
		{"guest change empty", "pbxlink.ext.1203.guest", nil, typed("guest", obj{}), "data", "minProperties 1"},
		{"guest change empty guest", "pbxlink.ext.1203.guest", nil, typed("guest", obj{"guest": obj{}}), "data.guest", "minProperties 1"},
		{"guest change empty mailbox", "pbxlink.ext.1203.guest", nil, typed("guest", obj{"mailbox": obj{}}), "data.mailbox", "minProperties 1"},
		{"guest change null field", "pbxlink.ext.1203.guest", nil, typed("guest", obj{"guest": obj{"title": nil}}), "data.guest.title", "type string"},
		{"checkout with guest", "pbxlink.ext.1203.checkout", nil, typed("checkout", obj{"guest": obj{"first": "Ada"}}), "data.guest", "additionalProperties false"},
		{"dnd missing on", "pbxlink.ext.1203.dnd", nil, typed("dnd", obj{}), "data.on", "required"},
		{"dnd on string", "pbxlink.ext.1203.dnd", nil, typed("dnd", obj{"on": "yes"}), "data.on", "type boolean"},
		{"clearmessages member", "pbxlink.ext.1203.clearmessages", nil, typed("clearmessages", obj{"all": true}), "data.all", "additionalProperties false"},
		{"extension number", "pbxlink.ext.1203.extension", nil, typed("extension", obj{"first": 1}), "data.first", "type string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.body
			if b == nil {
				b = body(t, tt.edit)
			}
			d, err := Parse(tt.subject, b)
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", d)
			}
			if !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("errors.Is(%v, ErrInvalidEvent) = false", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			if ve.Field != tt.wantField || ve.Rule != tt.wantRule {
				t.Errorf("got field %q rule %q (%v), want field %q rule %q", ve.Field, ve.Rule, err, tt.wantField, tt.wantRule)
			}
			if ve.Message == "" {
				t.Error("empty Message")
			}
			if !reflect.DeepEqual(d, Decoded{}) {
				t.Errorf("Decoded = %+v on error, want zero", d)
			}
		})
	}
}

// TestParseErrorsHideValues checks that no error repeats a guest's name:
// the reason goes into dead-letter headers and logs.
func TestParseErrorsHideValues(t *testing.T) {
	const secret = "Zelda-Secretname"
	tests := []struct {
		name    string
		subject string
		edit    map[string]any
	}{
		{"too long", testSubject, obj{"data": obj{"guest": obj{"first": strings.Repeat(secret, 20)}}}},
		{"control character", testSubject, obj{"data": obj{"guest": obj{"last": secret + "\n"}}}},
		{"wrong type in guest", testSubject, obj{"data": obj{"guest": obj{"first": []any{secret}}}}},
		{"value of unknown member", testSubject, obj{"data": obj{"guest": obj{"first": "A", "nick": secret}}}},
		{"guest change null", "pbxlink.ext.1203.guest", typed("guest", obj{"guest": obj{"first": secret, "last": nil}})},
		{"extension too long", "pbxlink.ext.1203.extension", typed("extension", obj{"first": strings.Repeat(secret, 20)})},
		{"type", testSubject, obj{"type": "pbxlink." + secret}},
		{"specversion", testSubject, obj{"specversion": secret}},
		{"subject", testSubject, obj{"subject": secret}},
		{"time", testSubject, obj{"time": secret}},
		{"source", testSubject, obj{"source": "http://[" + secret}},
		{"datacontenttype", testSubject, obj{"datacontenttype": secret}},
		{"attribute value", testSubject, obj{"traceparent": obj{"x": secret}}},
		{"data", testSubject, obj{"data": secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.subject, body(t, tt.edit))
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			if strings.Contains(err.Error(), "Zelda") || strings.Contains(err.Error(), "Secretname") {
				t.Errorf("error repeats the value: %v", err)
			}
		})
	}
	// Not JSON at all: the syntax error gives an offset, not the text.
	_, err := Parse(testSubject, []byte(`{"first": Zelda-Secretname}`))
	if err == nil || strings.Contains(err.Error(), "Zelda") {
		t.Errorf("Parse(not JSON) = %v", err)
	}
}

// TestParseDeterministic checks that an event with several faults gets the
// same reason every time, although Go's maps have no order.
func TestParseDeterministic(t *testing.T) {
	b := body(t, obj{"id": "", "time": "x", "subject": "y", "zz": obj{}, "data": obj{"guest": obj{"first": 1, "last": 2, "a": 1, "b": 2}, "c": 3}})
	_, first := Parse(testSubject, b)
	for range 50 {
		if _, err := Parse(testSubject, b); err.Error() != first.Error() {
			t.Fatalf("reason changed: %v, then %v", first, err)
		}
	}
	b = body(t, obj{"data": obj{"guest": obj{"first": 1, "last": 2, "title": 3, "vip": 4, "language": 5, "reservation": 6}}})
	_, first = Parse(testSubject, b)
	for range 50 {
		if _, err := Parse(testSubject, b); err.Error() != first.Error() {
			t.Fatalf("reason changed: %v, then %v", first, err)
		}
	}
}

func TestValidationErrorText(t *testing.T) {
	tests := []struct {
		err  *ValidationError
		want string
	}{
		{&ValidationError{Field: "data.guest.first", Rule: "maxLength 256", Message: "got 300 characters"}, "invalid event: data.guest.first: maxLength 256: got 300 characters"},
		{&ValidationError{Rule: "JSON", Message: "not valid JSON"}, "invalid event: JSON: not valid JSON"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, ErrInvalidEvent) {
			t.Errorf("errors.Is(%v, ErrInvalidEvent) = false", tt.err)
		}
	}
	if errors.Is(&ValidationError{}, ErrUnknownType) {
		t.Error("a ValidationError matches ErrUnknownType")
	}
}
