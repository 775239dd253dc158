package schemas

import (
	"encoding/json"
	"time"
)

// MaxEventSize is the largest event body, in bytes, that [Parse] looks at.
// A bigger one is refused as oversized before it is parsed; the largest
// legal event is a fraction of this.
const MaxEventSize = 64 << 10

// Event is a pbxlink event: a CloudEvents 1.0 event in structured JSON mode.
// Its JSON encoding is the wire format; build one with [NewEvent] and encode
// it with [Marshal] so that it is checked as [Parse] will check it.
type Event struct {
	// SpecVersion is the CloudEvents version, always [SpecVersion] "1.0".
	SpecVersion string `json:"specversion"`
	// ID is unique per event; it is sent as Nats-Msg-Id so that JetStream
	// drops a resent event. 1 to 256 characters.
	ID string `json:"id"`
	// Source names the publisher, such as "pms/opera-grand-hotel"; a URI
	// reference of 1 to 256 characters.
	Source string `json:"source"`
	// Type is the CloudEvents type, [EventTypePrefix] followed by the
	// [Type]: "pbxlink.checkin".
	Type string `json:"type"`
	// Time is when the change happened in the PMS, encoded in RFC 3339. It
	// is for display: an extension's events take effect in the order they
	// were published (their stream sequence), never reordered by Time.
	Time time.Time `json:"time"`
	// Subject is the extension number, equal to the extension token of the
	// NATS subject.
	Subject string `json:"subject"`
	// DataContentType is empty or [DataContentTypeJSON].
	DataContentType string `json:"datacontenttype,omitempty"`
	// Data is the type's data, a JSON object.
	Data json.RawMessage `json:"data"`
}
