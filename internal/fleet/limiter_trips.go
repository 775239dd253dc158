package fleet

import (
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// A call's round trip, from the moment Wait let it go to its answer, is
// the way to Zoom, Zoom's work and the way back. The quickest round trip
// seen lately is taken as what every call's trip takes at least: a call
// that took longer may have arrived later by as much (see Admit). It must
// be the fleet's quickest, not one replica's: a replica nearer to Zoom, or
// one that happened to see only slow trips, sends calls that arrive sooner
// after their slots than another replica's quickest would suggest. So each
// replica keeps its own quickest and the schedule keeps the least of them
// (fleetTrip), which every replica reads with the schedule and lowers or
// confirms when it writes.

// tripSpan is how long a quickest round trip is remembered: between one
// and two spans. Long enough that the calls of one second are compared
// with the same quickest trip, and that a fleet busy now and then does not
// start again without one (until minTrips, every round trip is excess: a
// delay of about one round trip, once); short enough that a slower route
// to Zoom, which moves every call alike, stops counting as excess.
const tripSpan = time.Minute

// minTrips is how many of its own round trips a replica needs before it
// takes the quickest of them as a base without the fleet's.
const minTrips = 16

// fleetTrip is the fleet's quickest round trip of one bucket, as the
// schedule keeps it, and when it was last seen or confirmed.
type fleetTrip struct {
	D  time.Duration `json:"d"`
	At time.Time     `json:"at"`
}

// fresh reports whether f is known and recent.
func (f fleetTrip) fresh(now time.Time) bool {
	return f.D > 0 && now.Sub(f.At) < 2*tripSpan
}

// trips is one replica's record of the round trips of one bucket.
type trips struct {
	mu        sync.Mutex
	since     time.Time     // when the current span began
	cur, prev time.Duration // quickest of the current and the previous span; 0: none
	// n counts the trips since the record was last empty.
	n     int
	fleet fleetTrip // as last read from the schedule
}

// tripsOf is the round-trip record of bucket b.
func (l *Limiter) tripsOf(b zoom.Bucket) *trips {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.trips[b]
	if t == nil {
		t = &trips{}
		l.trips[b] = t
	}
	return t
}

// add records a round trip that ended at now.
func (t *trips) add(now time.Time, rtt time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rotate(now)
	t.n++
	if t.cur == 0 || rtt < t.cur {
		t.cur = rtt
	}
}

// rotate starts a new span when the current one is over, and forgets
// everything after two.
func (t *trips) rotate(now time.Time) {
	switch age := now.Sub(t.since); {
	case age >= 2*tripSpan:
		t.prev, t.cur, t.n, t.since = 0, 0, 0, now
	case age >= tripSpan:
		t.prev, t.cur, t.since = t.cur, 0, now
	}
}

// own is this replica's quickest remembered round trip (0: none), and
// whether it rests on at least minTrips trips.
func (t *trips) own(now time.Time) (time.Duration, bool) {
	t.rotate(now)
	d := t.cur
	if d == 0 || (t.prev != 0 && t.prev < d) {
		d = t.prev
	}
	return d, d > 0 && t.n >= minTrips
}

// base is the round trip every call is taken to need at least: the least
// of the fleet's (when fresh) and this replica's own, or this replica's
// own alone once it rests on minTrips trips; 0 (every round trip is
// excess) while neither is known.
func (t *trips) base(now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	own, trusted := t.own(now)
	switch {
	case t.fleet.fresh(now) && own > 0:
		return min(own, t.fleet.D)
	case t.fleet.fresh(now):
		return t.fleet.D
	case trusted:
		return own
	}
	return 0
}

// heard remembers the fleet's quickest trip as read from the schedule.
func (t *trips) heard(f fleetTrip) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fleet = f
}

// fold returns the fleet's quickest trip f with this replica's own folded
// in, to be written with the schedule: lowered or confirmed by this
// replica's own, replaced by it when f is stale (only when it rests on
// enough trips), or dropped when stale and nothing replaces it.
func (t *trips) fold(f fleetTrip, now time.Time) fleetTrip {
	t.mu.Lock()
	defer t.mu.Unlock()
	own, trusted := t.own(now)
	switch {
	case !f.fresh(now) && trusted:
		return fleetTrip{D: own, At: now}
	case !f.fresh(now):
		return fleetTrip{}
	case own > 0 && own <= f.D:
		return fleetTrip{D: own, At: now}
	}
	return f
}
