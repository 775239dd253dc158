package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Decoded is an event that [Parse] accepted.
type Decoded struct {
	// Event is the envelope, with Data as received.
	Event Event
	// Type is the event type, from the subject and the envelope alike.
	Type Type
	// Extension is the extension number, from the subject and the envelope
	// alike.
	Extension string
	// Payload is the data decoded into the type's struct: a [CheckIn],
	// [GuestChange], [CheckOut], [DND], [ClearMessages] or [Extension] value.
	Payload Payload
}

// wireEvent is the envelope as decoded from JSON, before its time is
// parsed.
type wireEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            string          `json:"time"`
	Subject         string          `json:"subject"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
}

// Parse checks the body of a message received on the NATS subject subject
// and decodes it. In order, the body must be at most [MaxEventSize] bytes,
// valid JSON, a CloudEvents 1.0 envelope valid against
// envelope.schema.json (which also requires a known type), published on an
// event subject pbxlink.ext.<extension>.<type> whose tokens equal its
// subject and type attributes, with data valid against its type's schema.
//
// Any failure is a [*ValidationError], matching [ErrInvalidEvent], that
// names the field and the rule: the worker dead-letters such an event at
// once with that reason, since retrying cannot fix it. Parse does not panic
// on any input.
func Parse(subject string, body []byte) (Decoded, error) {
	if len(body) > MaxEventSize {
		return Decoded{}, invalid("", fmt.Sprintf("maxSize %d", MaxEventSize), fmt.Sprintf("oversized event: %d bytes", len(body)))
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return Decoded{}, jsonError(err)
	}
	s := schemas()
	if err := s.envelope.Validate(doc); err != nil {
		return Decoded{}, fromSchemaError(err, "")
	}
	var w wireEvent
	if err := json.Unmarshal(body, &w); err != nil {
		return Decoded{}, jsonError(err)
	}
	t, err := ParseEventType(w.Type)
	if err != nil {
		return Decoded{}, invalid("type", "enum", "unknown event type")
	}
	// RFC 3339 allows a lower-case t and z; Go's parser wants upper case.
	at, err := time.Parse(time.RFC3339Nano, strings.ToUpper(w.Time))
	if err != nil {
		return Decoded{}, invalid("time", "format date-time", "not a valid RFC 3339 time")
	}
	ext, subjectType, err := ParseSubject(subject)
	if err != nil {
		return Decoded{}, err
	}
	if w.Subject != ext {
		return Decoded{}, invalid("subject", "must equal subject token "+ext, "the extension differs from the NATS subject's")
	}
	if t != subjectType {
		return Decoded{}, invalid("type", "must equal "+subjectType.EventType(), "the type differs from the NATS subject's")
	}
	if err := s.data[t].Validate(doc.(map[string]any)["data"]); err != nil {
		return Decoded{}, fromSchemaError(err, "data")
	}
	payload, err := decodePayload(t, w.Data)
	if err != nil {
		return Decoded{}, err
	}
	return Decoded{
		Event: Event{
			SpecVersion:     w.SpecVersion,
			ID:              w.ID,
			Source:          w.Source,
			Type:            w.Type,
			Time:            at,
			Subject:         w.Subject,
			DataContentType: w.DataContentType,
			Data:            w.Data,
		},
		Type:      t,
		Extension: ext,
		Payload:   payload,
	}, nil
}

// decodePayload decodes data, already valid against t's schema, into t's
// struct.
func decodePayload(t Type, data json.RawMessage) (Payload, error) {
	switch t {
	case TypeCheckIn:
		return decodeInto[CheckIn](data)
	case TypeGuest:
		return decodeInto[GuestChange](data)
	case TypeCheckOut:
		return decodeInto[CheckOut](data)
	case TypeDND:
		return decodeInto[DND](data)
	case TypeClearMessages:
		return decodeInto[ClearMessages](data)
	case TypeExtension:
		return decodeInto[Extension](data)
	}
	return nil, invalid("type", "enum", "unknown event type")
}

// decodeInto decodes data strictly into a P.
func decodeInto[P Payload](data json.RawMessage) (Payload, error) {
	var p P
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, invalid("data", "decode", "does not fit the "+string(p.Type())+" data")
	}
	return p, nil
}

// jsonError turns a JSON syntax error into a *ValidationError that gives
// the offset, not the offending text.
func jsonError(err error) *ValidationError {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return invalid("", "JSON", fmt.Sprintf("not valid JSON (at byte %d)", syn.Offset))
	}
	return invalid("", "JSON", "not valid JSON")
}
