package fias

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// BucketFIAS is the key-value bucket of the FIAS links' state: key
// "link.<name>" holds one link's [State]. It holds guest names (a room's
// extension must show its remaining sharer when the first guest leaves,
// and a moved guest's name in the new room), so its data is erased when
// the guests check out.
const BucketFIAS = "pbxlink-fias"

// recentMax is how many applied records' digests State keeps, to spot a
// PMS resending what was already applied before a link broke.
const recentMax = 512

// State is what a link knows of the hotel: who is in which room, whether
// a resync is under way, and the digests of the last records applied. One
// record's events and the State after it are written together: the events
// first, then State (compare-and-swap on its revision), so that a record
// is taken as received only once both are stored.
type State struct {
	// Seq counts the data records applied on the link, ever. It is part of
	// every event id, so that a record redone after a crash (its events
	// published, State not yet written) gets the same ids and the stream
	// drops the copies.
	Seq uint64 `json:"seq"`
	// Rooms is each occupied room's guests, the first one the one the
	// extension shows, and its do-not-disturb.
	Rooms map[string]*Room `json:"rooms,omitempty"`
	// Recent holds the digests of the last records applied, oldest first.
	Recent []string `json:"recent,omitempty"`
	// Resync is set between DS and DE.
	Resync *Resync `json:"resync,omitempty"`
	// Diverged is set when a record contradicted the state (a check-out
	// of an unknown guest, say): a database swap (DR) is due.
	Diverged bool `json:"diverged,omitempty"`
	// LastDR is when the link last asked for a database swap.
	LastDR time.Time `json:"last_dr,omitzero"`
}

// Room is one room's occupancy.
type Room struct {
	Guests []Guest `json:"guests,omitempty"`
	DND    bool    `json:"dnd,omitempty"`
}

// Resync is a database swap under way: the rooms and reservations that the
// PMS named so far. At DE every other room is vacant.
type Resync struct {
	Named map[string][]string `json:"named"`
}

// room returns the room, creating it.
func (s *State) room(n string) *Room {
	if s.Rooms == nil {
		s.Rooms = map[string]*Room{}
	}
	r := s.Rooms[n]
	if r == nil {
		r = &Room{}
		s.Rooms[n] = r
	}
	return r
}

// tidy drops rooms with nothing to remember.
func (s *State) tidy(n string) {
	if r := s.Rooms[n]; r != nil && len(r.Guests) == 0 && !r.DND {
		delete(s.Rooms, n)
	}
}

// remember appends a record's digest to Recent.
func (s *State) remember(digest string) {
	s.Recent = append(s.Recent, digest)
	if len(s.Recent) > recentMax {
		s.Recent = slices.Clone(s.Recent[len(s.Recent)-recentMax:])
	}
}

// find returns the index of the guest with reservation res, or -1.
func (r *Room) find(res string) int {
	for i, g := range r.Guests {
		if g.Reservation == res {
			return i
		}
	}
	return -1
}

// StateStore keeps a link's State in BucketFIAS.
type StateStore struct {
	kv  jetstream.KeyValue
	key string
}

// NewStateStore returns the store of link's state in kv.
func NewStateStore(kv jetstream.KeyValue, link string) *StateStore {
	return &StateStore{kv: kv, key: "link." + link}
}

// ErrFenced: the state changed under this replica, which therefore no
// longer holds the link; it must stop.
var ErrFenced = errors.New("fias: link state changed by another replica")

// Load returns the stored state and its revision; found is false (and the
// revision 0) when there is none: a new link, or lost state.
func (st *StateStore) Load(ctx context.Context) (s *State, rev uint64, found bool, err error) {
	e, err := st.kv.Get(ctx, st.key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return &State{}, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("fias state %s: %w", st.key, err)
	}
	s = &State{}
	if err := json.Unmarshal(e.Value(), s); err != nil {
		return nil, 0, false, fmt.Errorf("fias state %s: %w", st.key, err)
	}
	return s, e.Revision(), true, nil
}

// Save writes s if the stored revision is still rev, and returns the new
// revision. A lost race is ErrFenced.
func (st *StateStore) Save(ctx context.Context, s *State, rev uint64) (uint64, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	if rev == 0 {
		rev, err = st.kv.Create(ctx, st.key, data)
	} else {
		rev, err = st.kv.Update(ctx, st.key, data, rev)
	}
	if broker.IsConflict(err) {
		return 0, ErrFenced
	}
	if err != nil {
		return 0, fmt.Errorf("fias state %s: %w", st.key, err)
	}
	return rev, nil
}

// BucketConfig is BucketFIAS's configuration.
func BucketConfig(replicas int) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      BucketFIAS,
		Description: "pbxlink FIAS links: room occupancy, resync, posting ledger",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	}
}
