package consumer

import (
	"testing"
)

func testJob(ext string, seq uint64) *job { return &job{ext: ext, seq: seq} }

// TestLanesWakeWhileRunningIsNotLost: a wake that arrives while the head is
// being worked on (after the order check said "wait", before park) sends
// the lane straight back to the ready queue instead of leaving it parked
// until the next periodic look.
func TestLanesWakeWhileRunningIsNotLost(t *testing.T) {
	t.Parallel()
	l := newLanes(4, 8)
	l.add(testJob("1201", 1))
	ln, j, ok := l.next()
	if !ok || j.seq != 1 {
		t.Fatalf("next = %v %v", j, ok)
	}
	l.wake("1201") // the earlier event finished elsewhere, meanwhile
	l.park(ln)
	if len(l.ready) != 1 || ln.parked {
		t.Fatalf("lane parked with a wake pending: ready %d, parked %v", len(l.ready), ln.parked)
	}
}

// TestLanesOrderAndCaps: jobs run in stream order per extension whatever
// their arrival order; a lane holds at most holdMax jobs, an earlier event
// displacing the latest; only perExt jobs of a lane count toward the
// intake's room; parked lanes count nothing.
func TestLanesOrderAndCaps(t *testing.T) {
	t.Parallel()
	l := newLanes(2, 3)
	for _, s := range []uint64{5, 3, 4} {
		if ex := l.add(testJob("1201", s)); ex != nil {
			t.Fatalf("job %d handed back below the cap", s)
		}
	}
	if ex := l.add(testJob("1201", 9)); ex == nil || ex.seq != 9 {
		t.Fatalf("a later job beyond the cap: handed back %v, want 9", ex)
	}
	if ex := l.add(testJob("1201", 1)); ex == nil || ex.seq != 5 {
		t.Fatalf("an earlier job beyond the cap: handed back %v, want the latest, 5", ex)
	}
	l.add(testJob("1202", 7))
	if got := l.runnable(); got != 3 {
		t.Fatalf("runnable %d, want 2 of 1201 (perExt) + 1 of 1202", got)
	}
	ln, j, _ := l.next()
	if ln.ext != "1201" || j.seq != 1 {
		t.Fatalf("first head %s/%d, want 1201/1", ln.ext, j.seq)
	}
	l.park(ln)
	if got := l.runnable(); got != 1 {
		t.Fatalf("runnable %d with 1201 parked, want 1", got)
	}
	if dup := testJob("1201", 3); l.add(dup) != nil || len(l.byExt["1201"].jobs) != 3 {
		t.Fatalf("a redelivery of a held job must be kept once")
	}
}

// TestLanesFreeCountsOnlyRunnable: the intake is given room only while
// fewer than limit jobs could run.
func TestLanesFreeCountsOnlyRunnable(t *testing.T) {
	t.Parallel()
	l := newLanes(4, 64)
	never := func() bool { return false }
	if n := l.free(3, never); n != 3 {
		t.Fatalf("free %d, want 3", n)
	}
	l.add(testJob("1", 1))
	l.add(testJob("2", 1))
	if n := l.free(3, never); n != 1 {
		t.Fatalf("free %d, want 1", n)
	}
	if n := l.free(3, func() bool { return true }); n != 0 {
		t.Fatalf("free %d while stopping, want 0", n)
	}
}
