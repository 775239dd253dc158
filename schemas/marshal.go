package schemas

import (
	"encoding/json"
	"reflect"
)

// NewEvent returns the event of type t for extension ext carrying data,
// with SpecVersion, Type, Subject, DataContentType and Data set; the caller
// sets ID, Source and Time, then encodes it with [Marshal].
//
// data is a [Payload] of type t (value or pointer), a json.RawMessage, or
// any value that encodes to the JSON object the type's schema describes;
// nil stands for the empty object. NewEvent checks only that data encodes
// to JSON and, for a Payload, that its type is t; [Marshal] checks the rest.
// Errors are [*ValidationError]s.
func NewEvent(ext string, t Type, data any) (Event, error) {
	if !t.Valid() {
		return Event{}, invalid("type", "enum", "unknown event type; one of "+typeList(EventTypePrefix))
	}
	raw, err := encodeData(t, data)
	if err != nil {
		return Event{}, err
	}
	return Event{
		SpecVersion:     SpecVersion,
		Type:            t.EventType(),
		Subject:         ext,
		DataContentType: DataContentTypeJSON,
		Data:            raw,
	}, nil
}

// encodeData returns data as the JSON of an event of type t.
func encodeData(t Type, data any) (json.RawMessage, error) {
	if v := reflect.ValueOf(data); data == nil || v.Kind() == reflect.Pointer && v.IsNil() {
		return json.RawMessage("{}"), nil
	}
	switch d := data.(type) {
	case json.RawMessage:
		if !json.Valid(d) {
			return nil, invalid("data", "JSON", "not valid JSON")
		}
		return d, nil
	case Payload:
		if d.Type() != t {
			return nil, invalid("type", "must equal "+d.Type().EventType(), "the data is of another type")
		}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, invalid("data", "JSON", "cannot be encoded as JSON")
	}
	return raw, nil
}

// Marshal encodes ev as the JSON body of its message and checks it exactly
// as [Parse] does on the subject [EventSubject](ev.Subject, type), so that
// an event refused here would have been dead-lettered there. A zero
// ev.Time is refused as missing. Errors are [*ValidationError]s.
func Marshal(ev Event) ([]byte, error) {
	t, err := ParseEventType(ev.Type)
	if err != nil {
		return nil, invalid("type", "enum", "unknown event type; one of "+typeList(EventTypePrefix))
	}
	if ev.Time.IsZero() {
		return nil, invalid("time", "required", "missing")
	}
	if y := ev.Time.Year(); y < 0 || y > 9999 {
		return nil, invalid("time", "format date-time", "the year must be 0 to 9999")
	}
	if ev.Data == nil {
		return nil, invalid("data", "required", "missing")
	}
	if !json.Valid(ev.Data) {
		return nil, invalid("data", "JSON", "not valid JSON")
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, invalid("", "JSON", "cannot be encoded as JSON")
	}
	if _, err := Parse(EventSubject(ev.Subject, t), body); err != nil {
		return nil, err
	}
	return body, nil
}

// Validate reports whether ev would be accepted by [Marshal] and so by
// [Parse]; the error is the same [*ValidationError].
func Validate(ev Event) error {
	_, err := Marshal(ev)
	return err
}
