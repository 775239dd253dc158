package callrecord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// stateKey holds the poller's progress in the fleet bucket.
const stateKey = "callrecords.state"

// pollState is what the poller must remember across polls and leaders.
type pollState struct {
	// Watermark: every call that ended at or before it has been published
	// (or was not ours). The next poll reads from Watermark - overlap.
	Watermark time.Time `json:"watermark"`
	// Recent lists the calls already published that ended after
	// Watermark - overlap (call_history_uuid → end, Unix seconds): the next
	// polls read them again and skip them.
	Recent map[string]int64 `json:"recent,omitempty"`
	// Day (YYYY-MM-DD, UTC, as Zoom's daily caps) and Requests: the Heavy
	// requests the poller made that day.
	Day      string `json:"day"`
	Requests int    `json:"requests"`
	// LastRead is when the last read began; the next is due Interval
	// after it, whichever replica holds the lease then.
	LastRead time.Time `json:"last_read"`
}

// stateStore reads and writes the poll state with compare-and-swap, so
// that a replica that lost the lease without knowing it cannot move the
// watermark.
type stateStore struct {
	kv  jetstream.KeyValue
	rev uint64
}

// errLostState: another replica wrote the state since this one read it.
var errLostState = errors.New("call records: the poll state changed under this replica (another took over)")

func (s *stateStore) load(ctx context.Context) (pollState, bool, error) {
	var st pollState
	e, err := s.kv.Get(ctx, stateKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		s.rev = 0
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("call records state: %w", err)
	}
	s.rev = e.Revision()
	if err := json.Unmarshal(e.Value(), &st); err != nil {
		return st, false, fmt.Errorf("call records state: %w", err)
	}
	return st, true, nil
}

func (s *stateStore) save(ctx context.Context, st pollState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	var rev uint64
	if s.rev == 0 {
		rev, err = s.kv.Create(ctx, stateKey, data)
	} else {
		rev, err = s.kv.Update(ctx, stateKey, data, s.rev)
	}
	if err != nil {
		if broker.IsConflict(err) {
			return errLostState
		}
		return fmt.Errorf("call records state: %w", err)
	}
	s.rev = rev
	return nil
}
