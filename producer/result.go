package producer

import (
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// Result describes a published event.
type Result struct {
	// Subject is the NATS subject the event was published on.
	Subject string
	// Event is the event as sent.
	Event schemas.Event
	// Ack is the stream's acknowledgement: stream name and sequence. Its
	// Duplicate field is true when the stream already held an event with
	// this id, from a resend or from an earlier attempt whose
	// acknowledgement was lost; either way the stream holds it once.
	Ack jetstream.PubAck
	// Attempts is how many times the event was sent, 1 without retries.
	Attempts int
}

// MoveResult describes a room move: the check-out on the old extension and
// the check-in on the new one. A field is nil when that event was not
// acknowledged.
type MoveResult struct {
	// CheckOut is the check-out on the extension the guest left.
	CheckOut *Result
	// CheckIn is the check-in on the extension the guest moved to.
	CheckIn *Result
}
