package fleet_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
)

// event is one published event of a script.
type event struct {
	n    int // position in publish order
	ext  int64
	typ  schemas.Type
	data schemas.Payload
	id   string
	at   time.Time
}

func (e event) String() string {
	return fmt.Sprintf("#%d %s on %d (id %s)", e.n, e.typ, e.ext, e.id)
}

// script is a reproducible sequence of check-ins, guest changes and
// check-outs over the rooms. Every check-in and guest change gives the
// guest a last name unique to the event ("L<n>"), so each of them makes
// the room show a name of its own; a check-out brings the room back to its
// bare extension.
type script struct {
	seed   uint64
	events []event
}

// scriptOptions shape a script.
type scriptOptions struct {
	events    int
	rooms     int
	firstExt  int64
	checkouts bool // include check-outs (each room's first costs a presence call)
	// balanced spreads the events evenly: rounds of every room in random
	// order. Otherwise each event picks a random room, with a bias to the
	// rooms of the last few events, so that one room's events are often
	// close together in the stream (held by several replicas at once).
	balanced bool
	// everyRoom starts the script with one check-in of every room, in
	// random order, so that the script covers every room whatever the
	// draw; the rest follows as the options above say.
	everyRoom bool
}

// newScript draws a script from seed (PCG, so a run is repeatable).
func newScript(seed uint64, o scriptOptions) *script {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	s := &script{seed: seed}
	occupied := map[int64]bool{}
	base := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Second)
	var recent []int64
	var perm, first []int
	if o.everyRoom {
		first = r.Perm(o.rooms)
	}
	for n := range o.events {
		var ext int64
		switch {
		case len(first) > 0:
			ext, first = o.firstExt+int64(first[0]), first[1:]
		case o.balanced:
			if len(perm) == 0 {
				perm = r.Perm(o.rooms)
			}
			ext, perm = o.firstExt+int64(perm[0]), perm[1:]
		case len(recent) > 0 && r.IntN(10) < 3:
			ext = recent[r.IntN(len(recent))]
		default:
			ext = o.firstExt + int64(r.IntN(o.rooms))
		}
		recent = append(recent, ext)
		if len(recent) > 5 {
			recent = recent[1:]
		}
		e := event{n: n, ext: ext, id: fmt.Sprintf("fleet-%d-%d", seed, n), at: base.Add(time.Duration(n) * 100 * time.Millisecond)}
		last := "L" + strconv.Itoa(n)
		x := r.IntN(100)
		switch {
		case occupied[ext] && o.checkouts && x < 30:
			e.typ, e.data = schemas.TypeCheckOut, schemas.CheckOut{}
			occupied[ext] = false
		case occupied[ext] && x < 75:
			p := &schemas.GuestPatch{Last: &last}
			if r.IntN(2) == 0 {
				first := "F" + strconv.Itoa(n)
				p.First = &first
			}
			if r.IntN(5) == 0 {
				vip := []string{"", "VIP"}[r.IntN(2)]
				p.VIP = &vip
			}
			e.typ, e.data = schemas.TypeGuest, schemas.GuestChange{Guest: p}
		default:
			// A check-in, on a vacant room or over the stay of an
			// occupied one (a PMS that never sent the check-out).
			g := schemas.Guest{Last: last}
			if r.IntN(10) < 7 {
				g.First = "F" + strconv.Itoa(n)
			}
			if r.IntN(7) == 0 {
				g.VIP = "VIP"
			}
			e.typ, e.data = schemas.TypeCheckIn, schemas.CheckIn{Guest: g}
			occupied[ext] = true
		}
		s.events = append(s.events, e)
	}
	return s
}

// counts is how many events of each type the script holds, for the log.
func (s *script) counts() string {
	m := map[schemas.Type]int{}
	rooms := map[int64]bool{}
	for _, e := range s.events {
		m[e.typ]++
		rooms[e.ext] = true
	}
	return fmt.Sprintf("%d events over %d rooms: %d check-ins, %d guest changes, %d check-outs",
		len(s.events), len(rooms), m[schemas.TypeCheckIn], m[schemas.TypeGuest], m[schemas.TypeCheckOut])
}

// publish sends event e and waits for the stream's acknowledgement.
func publish(ctx context.Context, p *producer.Producer, e event) error {
	ext := strconv.FormatInt(e.ext, 10)
	_, err := p.Publish(ctx, ext, e.typ, e.data, producer.WithID(e.id), producer.WithTime(e.at))
	if err != nil {
		return fmt.Errorf("publish %s: %w", e, err)
	}
	return nil
}

// expectation is what one room should show, from the oracle.
type expectation struct {
	ext int64
	// final is the display name after the room's last event that was not
	// dead-lettered (the seeded "Room <ext>" when there is none).
	final string
	// partial are the names that dead-lettered events after that one would
	// have set: a dead letter may have been applied in part (the user
	// renamed, its desk phone not), so the room may show one of them.
	partial []string
	// names are the display names after each of the room's events, in
	// publish order; by are those events, and dead says which of them
	// were dead-lettered.
	names []string
	by    []event
	dead  []bool
}

// oracle applies each room's events in publish order and returns what
// every room should show. The name is the default template
// "${vip} ${first} ${last} ${extension}" with the empty variables left out.
//
// A dead-lettered event's name is not expected in Zoom, but its guest data
// still counts for the stay, as the worker keeps it: the stay is the PMS's,
// and a later guest change builds on the dead-lettered check-in (whose
// replay from the DLQ would then be skipped as older than what the room
// shows).
func (s *script) oracle(rooms int, firstExt int64, dead map[string]bool) map[int64]*expectation {
	out := map[int64]*expectation{}
	stays := map[int64]*schemas.CheckIn{}
	for i := range rooms {
		ext := firstExt + int64(i)
		out[ext] = &expectation{ext: ext, final: fmt.Sprintf("Room %d", ext)}
	}
	for _, e := range s.events {
		x := out[e.ext]
		switch d := e.data.(type) {
		case schemas.CheckIn:
			stay := d
			stays[e.ext] = &stay
		case schemas.GuestChange:
			var stay schemas.CheckIn
			if st := stays[e.ext]; st != nil {
				stay = *st
			}
			stay = d.Apply(stay)
			stays[e.ext] = &stay
		case schemas.CheckOut:
			stays[e.ext] = nil
		}
		name := displayName(e.ext, stays[e.ext])
		if dead[e.id] {
			x.partial = append(x.partial, name)
		} else {
			x.final, x.partial = name, nil
		}
		x.names = append(x.names, name)
		x.by = append(x.by, e)
		x.dead = append(x.dead, dead[e.id])
	}
	return out
}

// shows reports whether name is what the room may show at the end.
func (x *expectation) shows(name string) bool {
	return name == x.final || slices.Contains(x.partial, name)
}

func displayName(ext int64, stay *schemas.CheckIn) string {
	parts := []string{}
	if stay != nil {
		for _, v := range []string{stay.Guest.VIP, stay.Guest.First, stay.Guest.Last} {
			if v != "" {
				parts = append(parts, v)
			}
		}
	}
	return strings.Join(append(parts, strconv.FormatInt(ext, 10)), " ")
}
