package fleet

import (
	"context"
	"slices"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Zoom counts a call in the second it arrives; the schedule knows when it
// let the call go. Between the two lie the wake-up after the slot, the
// client, the host's scheduler and the network, and on a busy host they
// vary by more than the headroom's margin: a call that took 80 ms lands in
// one second with the Count calls that took 2 ms and were let go a second
// after it. So the schedule counts each call until it may have arrived.
//
// The schedule's log holds, per call, the time it occupies Zoom's window
// from: its slot, so that Take's bound (fewer than Count entries within
// the last Window, which is Per plus the margin the headroom leaves)
// keeps every second of slots within the limit, with the margin to spare.
// Admit hands the client a function to call when the answer is in; the
// call reached Zoom before that. Its time from slot to answer beyond the
// fleet's quickest recent round trip (which every call's trip includes:
// the part all calls share moves no call closer to another; see trips) is
// how much later than its slot it may have arrived, its excess. Half the
// margin may be excess (a wake-up up to that late still goes, see
// maxLate); the other half is kept for a trip quicker than the quickest
// seen so far. A call whose excess exceeds half the margin has its entry
// moved later by the difference, in one more write, so that the Count
// calls after it are spaced from when it may have arrived.
//
// A call let go while an earlier one is still on its way saw that call in
// the log at its slot; when the two are less than Per apart at their slots
// the earlier one counts anyway, and when they are further apart, the
// earlier call's answer, and so its entry's move, came first, as long as
// a round trip and the move's write take less than Per less the lead
// (0.75 s at the most).

// schedule is what the bucket's key holds: the zoom.Pace (its fields at the
// top level of the JSON, as older versions wrote it) and the fleet's
// quickest round trip.
type schedule struct {
	zoom.Pace
	Trip fleetTrip `json:"trip,omitzero"`
}

// Admit is Wait, and returns answered, which the zoom client calls when the
// call's answer came back: a call that may have arrived at Zoom later
// than the margin allows is then counted in the windows it may have
// arrived in (see the comment above). zoom.Client calls Admit instead of
// Wait, since Limiter is a zoom.ArrivalLimiter.
func (l *Limiter) Admit(ctx context.Context, b zoom.Bucket) (answered func(), err error) {
	rule := l.cfg.Rule(b)
	slot, err := l.wait(ctx, b, rule)
	if err != nil {
		return nil, err
	}
	if rule.Count <= 0 {
		return func() {}, nil
	}
	went := l.cfg.Now()
	return func() { l.answered(b, rule, slot, went) }, nil
}

var _ zoom.ArrivalLimiter = (*Limiter)(nil)

// move is a log entry to move: the entry of the call that had slot goes
// to to, when the call may have arrived less the half of the margin that
// may be excess (Take's bound adds the whole margin back, so the other
// half stays between this call and the Count calls after it).
type move struct{ slot, to time.Time }

// answered takes the call of bucket b that had slot and went at went as
// answered now, and, when its excess exceeds half the margin, queues its
// entry's move (see queue).
func (l *Limiter) answered(b zoom.Bucket, rule zoom.Rule, slot, went time.Time) {
	now := l.cfg.Now()
	trips := l.tripsOf(b)
	trips.add(now, now.Sub(went))
	excess := now.Sub(slot) - trips.base(now)
	// Half the margin may be excess; the other half is kept for a trip
	// quicker than the quickest seen so far.
	allowed := (rule.Window - l.cfg.Limit(b).Per) / 2
	if excess <= allowed {
		return
	}
	l.queue(b, rule, move{slot: slot, to: slot.Add(excess - allowed)})
}

// queue adds m to the moves of bucket b waiting to be written, and starts
// their writer unless one runs. The caller, a call that was answered, does
// not wait for the write: the next reservation of this replica carries the
// moves queued by then, and the writer the rest, a write after the answer
// at most, long before a call a second after the moved one is reserved.
func (l *Limiter) queue(b zoom.Bucket, rule zoom.Rule, m move) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.moves[b] = append(l.moves[b], m)
	if l.writing[b] {
		return
	}
	l.writing[b] = true
	go l.writeMoves(b, rule)
}

// writeMoves writes the queued moves of bucket b until none is left. A
// write is tried for up to one Per: after that, the moves no longer change
// which calls may go. An error drops them: it is not the calls', which
// were answered, and the next Wait reports a store that is down.
func (l *Limiter) writeMoves(b zoom.Bucket, rule zoom.Rule) {
	for {
		l.mu.Lock()
		ms := slices.Clone(l.moves[b])
		if len(ms) == 0 {
			l.writing[b] = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), l.cfg.Limit(b).Per)
		trips := l.tripsOf(b)
		_ = l.update(ctx, b, func(p *schedule, now time.Time) bool {
			trips.heard(p.Trip)
			p.Trip = trips.fold(p.Trip, now)
			return applyMoves(&p.Pace, rule, ms)
		})
		cancel()
		l.written(b, ms)
	}
}

// pendingMoves are the moves of bucket b waiting to be written, for a
// reservation to carry.
func (l *Limiter) pendingMoves(b zoom.Bucket) []move {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.moves[b])
}

// written takes ms, which are stored (or given up), off the queue of b.
func (l *Limiter) written(b zoom.Bucket, ms []move) {
	if len(ms) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.moves[b] = slices.DeleteFunc(l.moves[b], func(m move) bool { return slices.Contains(ms, m) })
}

// applyMoves moves the log's entries of ms and reports whether p changed.
func applyMoves(p *zoom.Pace, r zoom.Rule, ms []move) bool {
	changed := false
	for _, m := range ms {
		changed = moveSent(p, r, m.slot, m.to) || changed
	}
	return changed
}

// moveSent moves the log's entry at slot to to (to after slot): the call
// may have arrived later. An entry no longer in the log (Count later calls
// pushed it out) is put back when to is later than the log's earliest
// entry, since the call still counts; otherwise, or when the entry is at
// to already, there is nothing to do. It reports whether p changed.
func moveSent(p *zoom.Pace, r zoom.Rule, slot, to time.Time) bool {
	sortSent(p)
	if i := slices.IndexFunc(p.Sent, func(t time.Time) bool { return t.Equal(slot) }); i >= 0 {
		p.Sent = slices.Delete(p.Sent, i, i+1)
	} else if slices.ContainsFunc(p.Sent, to.Equal) || len(p.Sent) >= r.Count && !to.After(p.Sent[0]) {
		return false // moved already (a write that raced), or no longer counts
	}
	i, _ := slices.BinarySearchFunc(p.Sent, to, time.Time.Compare)
	p.Sent = slices.Insert(p.Sent, i, to)
	if len(p.Sent) > r.Count {
		p.Sent = p.Sent[len(p.Sent)-r.Count:]
	}
	return true
}

// sortSent puts the log in time order, as Pace.Take expects (it drops the
// first entry when the log is full): moved entries and the varying lead
// can put a later entry before an earlier one.
func sortSent(p *zoom.Pace) {
	if !slices.IsSortedFunc(p.Sent, time.Time.Compare) {
		slices.SortFunc(p.Sent, time.Time.Compare)
	}
}
