package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Call records: one CloudEvent of type [CallEventType] per finished call of
// an extension, read from Zoom's call history by pbxlink (not published by
// the PMS), kept by [StreamCalls].
const (
	// StreamCalls keeps call records: subjects [StreamCallsSubjects].
	StreamCalls = "PBXLINK_CALLS"
	// StreamCallsSubjects is the subject filter of [StreamCalls].
	StreamCallsSubjects = "pbxlink.call.*"
	// CallSubjectPrefix starts a call record's subject:
	// pbxlink.call.<extension>.
	CallSubjectPrefix = "pbxlink.call."
	// CallEventType is the CloudEvents type of a call record.
	CallEventType = "pbxlink.call"
	// CallSource is the CloudEvents source of the call records pbxlink
	// publishes.
	CallSource = "pbxlink/callrecords"
	// CallSchemaFile is the name, within [Files], of the JSON Schema of a
	// call record (the whole CloudEvent).
	CallSchemaFile = "call.schema.json"
)

// Call is the data of a call record: one finished call, seen from its
// extension's side, with Zoom's values.
type Call struct {
	// CallHistoryID is Zoom's call_history_uuid, unique per call log entry;
	// it is also the event id and the Nats-Msg-Id.
	CallHistoryID string `json:"call_history_id"`
	// CallID is Zoom's call_id; the two rooms of an internal call have one
	// entry each, with the same CallID.
	CallID string `json:"call_id"`
	// Extension is the extension the call belongs to.
	Extension string `json:"extension"`
	// Direction is "inbound" (the extension was called) or "outbound".
	Direction string `json:"direction"`
	// Internal is true when both parties are extensions of the account.
	Internal bool `json:"internal"`
	// Start, Answer and End are UTC; Answer is zero for a call nobody
	// answered.
	Start  time.Time `json:"start"`
	Answer time.Time `json:"answer,omitzero"`
	End    time.Time `json:"end"`
	// DurationSeconds is Zoom's duration of the call.
	DurationSeconds int `json:"duration_seconds"`
	// OtherNumber and OtherName are the other party: its extension for an
	// internal call, else its phone number; its name when Zoom knows it.
	OtherNumber string `json:"other_number,omitempty"`
	OtherName   string `json:"other_name,omitempty"`
	// Result is Zoom's call_result (answered, voicemail, no_answer, …).
	Result string `json:"result"`
}

// CallEvent is a call record as it travels: a CloudEvent whose data is a
// [Call].
type CallEvent struct {
	SpecVersion     string    `json:"specversion"`
	ID              string    `json:"id"`
	Source          string    `json:"source"`
	Type            string    `json:"type"`
	Time            time.Time `json:"time"`
	Subject         string    `json:"subject"`
	DataContentType string    `json:"datacontenttype,omitempty"`
	Data            Call      `json:"data"`
}

// ErrInvalidCall is matched (errors.Is) by every error of [ParseCall].
var ErrInvalidCall = errors.New("invalid call record")

// CallSubject is the subject of a call record of ext: pbxlink.call.<ext>.
func CallSubject(ext string) string { return CallSubjectPrefix + ext }

// NewCallEvent wraps c in its CloudEvent; time is the end of the call.
func NewCallEvent(c Call) CallEvent {
	return CallEvent{
		SpecVersion: SpecVersion, ID: c.CallHistoryID, Source: CallSource, Type: CallEventType,
		Time: c.End, Subject: c.Extension, DataContentType: DataContentTypeJSON, Data: c,
	}
}

// MarshalCall encodes a call record and checks it against its schema, so
// that pbxlink never publishes one that its own readers would refuse.
func MarshalCall(ev CallEvent) ([]byte, error) {
	ev.Data.Start, ev.Data.Answer, ev.Data.End = utcSecond(ev.Data.Start), utcSecond(ev.Data.Answer), utcSecond(ev.Data.End)
	ev.Time = utcSecond(ev.Time)
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidCall, err)
	}
	if err := validateCall(b); err != nil {
		return nil, err
	}
	return b, nil
}

// ParseCall decodes a call record read from subject and checks it: its
// schema, and its subject against the NATS subject's extension.
func ParseCall(subject string, body []byte) (CallEvent, error) {
	var ev CallEvent
	if err := validateCall(body); err != nil {
		return ev, err
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, fmt.Errorf("%w: %v", ErrInvalidCall, err)
	}
	ext, ok := strings.CutPrefix(subject, CallSubjectPrefix)
	if !ok || ext != ev.Subject || ext != ev.Data.Extension {
		return ev, fmt.Errorf("%w: subject %q, event subject %q and data.extension %q disagree", ErrInvalidCall, subject, ev.Subject, ev.Data.Extension)
	}
	if ev.ID != ev.Data.CallHistoryID {
		return ev, fmt.Errorf("%w: id %q is not data.call_history_id %q", ErrInvalidCall, ev.ID, ev.Data.CallHistoryID)
	}
	return ev, nil
}

func utcSecond(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Second)
}

// callSchema compiles call.schema.json once; it is part of the binary and
// covered by tests, so a failure panics.
var callSchema = sync.OnceValue(func() *jsonschema.Schema {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(embedLoader{})
	return c.MustCompile(schemaBase + CallSchemaFile)
})

func validateCall(body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: not JSON: %v", ErrInvalidCall, err)
	}
	if err := callSchema().Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("%w: %s", ErrInvalidCall, firstLeaf(ve))
		}
		return fmt.Errorf("%w: %v", ErrInvalidCall, err)
	}
	return nil
}

// firstLeaf is the innermost cause of a validation error, with its place.
func firstLeaf(ve *jsonschema.ValidationError) string {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	return "/" + strings.Join(ve.InstanceLocation, "/") + ": " + ve.Error()
}
