package consumer

import (
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// record is what the state bucket keeps for one extension, shared by every
// replica. It is the source of truth for order (Seq, Claim), for DLQ
// replays (Applied), for attempt counting, for the stay's guest data and for
// what pbxlink last made Zoom show.
type record struct {
	// Seq is the stream sequence of the last finished event (applied,
	// skipped or dead-lettered).
	Seq uint64 `json:"seq"`
	// Applied is the stream sequence of the last applied event: a replayed
	// dead letter older than it is skipped.
	Applied uint64 `json:"applied,omitempty"`
	// Pending and Attempts count the failed attempts of the event at the
	// head of the extension, so that waiting costs no attempt. Abandoned
	// counts the claims on it whose holder vanished without finishing (a
	// worker that crashed on it).
	Pending   uint64 `json:"pending,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
	Abandoned int    `json:"abandoned,omitempty"`
	// Claim fences the Zoom writes of the event being worked on: only its
	// holder may call Zoom for the extension until it expires.
	Claim *claim `json:"claim,omitempty"`
	// Stay is the current guest's data; nil when the room is vacant.
	Stay *schemas.CheckIn `json:"stay,omitempty"`
	// Plain holds the names an extension event gave a non-guest
	// extension; absent fields of a later extension event keep these.
	Plain *schemas.Extension `json:"plain,omitempty"`
	// Shown is what pbxlink last made Zoom show.
	Shown *shown `json:"shown,omitempty"`
	// PresenceAt is when the fleet last changed the user's presence: a
	// presence refusal within a minute of it is Zoom's one-change-a-minute
	// rule. PresenceRefused is when Zoom last refused presence for the user
	// outside that rule (not signed in to a Zoom client).
	PresenceAt      time.Time `json:"presence_at,omitzero"`
	PresenceRefused time.Time `json:"presence_refused,omitzero"`
}

// claim is a holder's exclusive right to call Zoom for one event of the
// extension until Until. Done lists the steps of the event already made, so
// that a takeover after a crash does not repeat one that must happen once
// (deleting voicemail would delete the new guest's messages).
type claim struct {
	Seq    uint64    `json:"seq"`
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
	Done   []string  `json:"done,omitempty"`
}

// shown is the state of an extension in Zoom as pbxlink last set it.
type shown struct {
	First   string            `json:"first,omitempty"`
	Last    string            `json:"last,omitempty"`
	Display string            `json:"display,omitempty"`
	Dept    *string           `json:"dept,omitempty"`
	Phones  map[string]string `json:"phones,omitempty"`
	DND     *bool             `json:"dnd,omitempty"`
	At      time.Time         `json:"at"`
}

// attemptsOf is the failed attempts recorded for the event at seq.
func (r record) attemptsOf(seq uint64) int {
	if r.Pending == seq {
		return r.Attempts
	}
	return 0
}

// abandonedOf is how often a holder vanished while working on seq.
func (r record) abandonedOf(seq uint64) int {
	if r.Pending == seq {
		return r.Abandoned
	}
	return 0
}

// done reports whether step of the claimed event was already made.
func (c *claim) done(step string) bool {
	if c == nil {
		return false
	}
	for _, s := range c.Done {
		if s == step {
			return true
		}
	}
	return false
}
