package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
)

// record is what the state bucket keeps for one extension, shared by every
// replica. It is the source of truth for order (Seq), for the
// stale-event rule (Time), for attempt counting, for the stay's guest data
// and for what pbxlink last made Zoom show.
type record struct {
	// Seq is the stream sequence of the last finished event (applied,
	// skipped or dead-lettered).
	Seq uint64 `json:"seq"`
	// Time is the `time` of the newest applied event.
	Time time.Time `json:"time,omitzero"`
	// Pending and Attempts count the failed attempts of the event at the
	// head of the extension, so that waiting costs no attempt.
	Pending  uint64 `json:"pending,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	// Stay is the current guest's data; nil when the room is vacant.
	Stay *schemas.CheckIn `json:"stay,omitempty"`
	// Plain holds the names an extension event gave a non-guest
	// extension; absent fields of a later extension event keep these.
	Plain *schemas.Extension `json:"plain,omitempty"`
	// Shown is what pbxlink last made Zoom show.
	Shown *shown `json:"shown,omitempty"`
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

// stateKey is the bucket key of an extension.
func stateKey(ext string) string { return "ext." + ext }

// states reads and writes records with compare-and-swap.
type states struct {
	kv jetstream.KeyValue
}

// get returns the record and its revision (0 when there is none yet).
func (s states) get(ctx context.Context, ext string) (record, uint64, error) {
	e, err := s.kv.Get(ctx, stateKey(ext))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return record{}, 0, nil
	}
	if err != nil {
		return record{}, 0, fmt.Errorf("read state of %s: %w", ext, err)
	}
	var r record
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return record{}, 0, fmt.Errorf("decode state of %s: %w", ext, err)
	}
	return r, e.Revision(), nil
}

// errConflict: the record changed since it was read.
var errConflict = errors.New("state changed concurrently")

// put writes r if the record is still at rev (0: must not exist yet).
func (s states) put(ctx context.Context, ext string, r record, rev uint64) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if rev == 0 {
		_, err = s.kv.Create(ctx, stateKey(ext), b)
	} else {
		_, err = s.kv.Update(ctx, stateKey(ext), b, rev)
	}
	if broker.IsConflict(err) {
		return errConflict
	}
	if err != nil {
		return fmt.Errorf("write state of %s: %w", ext, err)
	}
	return nil
}
