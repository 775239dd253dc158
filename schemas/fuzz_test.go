package schemas

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// FuzzParse feeds Parse arbitrary subjects and bodies. Parse must never
// panic; a refusal must be a *ValidationError whose text fits in a header;
// an accepted event must be consistent with its subject and survive being
// built again with NewEvent and Marshal.
func FuzzParse(f *testing.F) {
	seeds := []struct {
		subject string
		edit    map[string]any
	}{
		{testSubject, nil},
		{testSubject, obj{"time": "2026-11-23t14:05:00.5-07:30", "traceparent": "00-x", "n": 1.5, "b": false}},
		{"pbxlink.ext.1203.guest", typed("guest", obj{"guest": obj{"title": ""}, "mailbox": obj{"room_id": "1"}})},
		{"pbxlink.ext.1203.checkout", typed("checkout", obj{"mailbox": obj{}})},
		{"pbxlink.ext.1203.dnd", typed("dnd", obj{"on": false})},
		{"pbxlink.ext.1203.clearmessages", typed("clearmessages", obj{})},
		{"pbxlink.ext.1203.extension", typed("extension", obj{"department": "x"})},
		{testSubject, obj{"data": obj{"guest": obj{"first": " "}}}},
		{testSubject, obj{"data": obj{"guest": obj{"first": strings.Repeat("é", 300)}}}},
		{testSubject, obj{"subject": "1204"}},
		{testSubject, obj{"Data": 1, "data_base64": "e30="}},
		{testSubject, obj{"specversion": 1}},
		{testSubject, obj{"time": "2026-12-31T23:59:60Z"}},
		{"pbxlink.ext.1203.dnd", nil},
		{"pbxlink.ext.x.checkin", nil},
	}
	for _, s := range seeds {
		f.Add(s.subject, body(f, s.edit))
	}
	f.Add(testSubject, []byte(`{"specversion":`))
	f.Add(testSubject, []byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	f.Add("", []byte(`null`))
	f.Add(testSubject, []byte("{\"a\":\"\xff\xfe\"}"))

	f.Fuzz(func(t *testing.T, subject string, b []byte) {
		d, err := Parse(subject, b)
		if err != nil {
			checkRefusal(t, err)
			if !reflect.DeepEqual(d, Decoded{}) {
				t.Errorf("Decoded = %+v on error", d)
			}
			return
		}
		checkAccepted(t, subject, d)
	})
}

// checkRefusal checks the error of a refused event.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var ve *ValidationError
	if !errors.Is(err, ErrInvalidEvent) || !errors.As(err, &ve) {
		t.Fatalf("error %T %v is not a *ValidationError", err, err)
	}
	msg := err.Error()
	if len(msg) > 512 {
		t.Errorf("error text is %d bytes long", len(msg))
	}
	if strings.IndexFunc(msg, unicode.IsControl) >= 0 {
		t.Errorf("error text has a control character: %q", msg)
	}
	if ve.Rule == "" || ve.Message == "" {
		t.Errorf("error without rule or message: %#v", ve)
	}
}

// checkAccepted checks an accepted event against its subject and rebuilds
// it, as a producer would, to see that Parse accepts it again.
func checkAccepted(t *testing.T, subject string, d Decoded) {
	t.Helper()
	if subject != EventSubject(d.Extension, d.Type) || d.Event.Subject != d.Extension || d.Event.Type != d.Type.EventType() {
		t.Fatalf("accepted %+v on subject %q", d, subject)
	}
	if d.Payload == nil || d.Payload.Type() != d.Type {
		t.Fatalf("payload %#v for type %s", d.Payload, d.Type)
	}
	again, err := Marshal(d.Event)
	if err != nil {
		t.Fatalf("Marshal of an accepted event: %v", err)
	}
	d2, err := Parse(subject, again)
	if err != nil {
		t.Fatalf("Parse of Marshal's body: %v\n%s", err, again)
	}
	if !reflect.DeepEqual(d2.Payload, d.Payload) || !d2.Event.Time.Equal(d.Event.Time) {
		t.Fatalf("round trip changed the event: %+v, then %+v", d, d2)
	}
	ev, err := NewEvent(d.Extension, d.Type, d.Payload)
	if err != nil {
		t.Fatalf("NewEvent of an accepted payload: %v", err)
	}
	ev.ID, ev.Source, ev.Time = d.Event.ID, d.Event.Source, d.Event.Time
	rebuilt, err := Marshal(ev)
	if err != nil {
		t.Fatalf("Marshal of the rebuilt event: %v", err)
	}
	d3, err := Parse(subject, rebuilt)
	if err != nil {
		t.Fatalf("Parse of the rebuilt event: %v\n%s", err, rebuilt)
	}
	if !reflect.DeepEqual(d3.Payload, d.Payload) {
		t.Fatalf("rebuilding changed the payload: %#v, then %#v", d.Payload, d3.Payload)
	}
	var data map[string]any
	if err := json.Unmarshal(d.Event.Data, &data); err != nil {
		t.Fatalf("Data is not a JSON object: %v", err)
	}
}

// FuzzParseFields reaches deeper than FuzzParse: it builds well-formed JSON
// envelopes from fuzzed attribute values and data, so that the fuzzer
// spends its time on the schema, time, subject and data checks rather than
// on JSON syntax.
func FuzzParseFields(f *testing.F) {
	f.Add("1203", "checkin", "1203", "pbxlink.checkin", "opera-1", "pms/a", "2026-11-23T14:05:00Z", `{"guest":{"first":"Ada"}}`)
	f.Add("1203", "guest", "1203", "pbxlink.guest", "x", "p", "2026-11-23t14:05:00.123456789123+23:59", `{"guest":{"title":""},"tenant":""}`)
	f.Add("0", "dnd", "0", "pbxlink.dnd", "x", "urn:x", "0000-01-01T00:00:00Z", `{"on":false}`)
	f.Add("1", "extension", "1", "pbxlink.extension", "\u00e9", "//h/p?q#f", "9999-12-31T23:59:59.999999999-00:00", `{"first":"\u0000"}`)
	f.Add("12", "checkout", "12", "pbxlink.checkout", "i", "s", "2026-02-29T00:00:00Z", `{"mailbox":{"room_id":"\ud800"}}`)
	f.Add("12", "clearmessages", "12", "pbxlink.clearmessages", "i", "s", "2026-11-23T14:05:00+24:00", `{}`)
	f.Fuzz(func(t *testing.T, ext, typ, subject, evType, id, source, at, data string) {
		ev := map[string]any{"specversion": "1.0", "id": id, "source": source, "type": evType, "time": at, "subject": subject}
		if json.Valid([]byte(data)) {
			ev["data"] = json.RawMessage(data)
		} else {
			ev["data"] = data
		}
		b, err := json.Marshal(ev)
		if err != nil {
			return
		}
		nats := SubjectPrefix + ext + "." + typ
		d, err := Parse(nats, b)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		checkAccepted(t, nats, d)
	})
}
