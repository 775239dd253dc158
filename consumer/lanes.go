package consumer

import (
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// job is one delivered event held by this replica.
type job struct {
	msg       jetstream.Msg
	seq       uint64 // stream sequence
	delivered uint64 // deliveries so far, this one included
	subject   string
	ext       string // "" when the subject's extension token is not one
	typ       string // the subject's type token
	published time.Time
}

// lane is the queue of one extension's events on this replica, in stream
// order. Only its head is ever worked on, so the events of an extension take
// effect one after another; different lanes run in parallel.
type lane struct {
	ext     string
	jobs    []*job
	busy    bool // ready for a runner, or running
	running bool // a runner works on the head
	parked  bool // the head waits for an earlier event held elsewhere
}

// lanes schedules lanes onto a fixed number of runners.
type lanes struct {
	mu     sync.Mutex
	cond   *sync.Cond // a lane became ready, or the lanes closed
	room   *sync.Cond // a job finished or parked: maybe room for more
	byExt  map[string]*lane
	ready  []*lane
	closed bool
	// unbounded lifts waitRoom's limit while stopping, so that the consume
	// callback never blocks a stop.
	unbounded bool
}

func newLanes() *lanes {
	l := &lanes{byExt: map[string]*lane{}}
	l.cond = sync.NewCond(&l.mu)
	l.room = sync.NewCond(&l.mu)
	return l
}

// waitRoom blocks while limit or more jobs could run (jobs of lanes that
// are not parked). It bounds what one replica takes from the shared
// consumer: a replica that crashes strands few events for the ack wait,
// and the others get their share. Jobs waiting for an earlier event of
// their extension do not count, so an earlier event still in the client's
// buffer can always come in.
func (l *lanes) waitRoom(limit int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for !l.closed && !l.unbounded && l.runnable() >= limit {
		l.room.Wait()
	}
}

// unbound lifts the limit of waitRoom for good.
func (l *lanes) unbound() {
	l.mu.Lock()
	l.unbounded = true
	l.room.Broadcast()
	l.mu.Unlock()
}

func (l *lanes) runnable() int {
	n := 0
	for _, ln := range l.byExt {
		if !ln.parked {
			n += len(ln.jobs)
		}
	}
	return n
}

// add queues a delivered job. A redelivery of a job already held replaces
// the older delivery.
func (l *lanes) add(j *job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln := l.byExt[j.ext]
	if ln == nil {
		ln = &lane{ext: j.ext}
		l.byExt[j.ext] = ln
	}
	i, found := slices.BinarySearchFunc(ln.jobs, j.seq, func(x *job, s uint64) int {
		switch {
		case x.seq < s:
			return -1
		case x.seq > s:
			return 1
		}
		return 0
	})
	if found {
		ln.jobs[i] = j
	} else {
		ln.jobs = slices.Insert(ln.jobs, i, j)
	}
	if ln.parked && i == 0 {
		ln.parked = false // a new head: look again
	}
	l.schedule(ln)
}

// schedule puts an idle, unparked lane with work on the ready queue.
func (l *lanes) schedule(ln *lane) {
	if ln.busy || ln.parked || len(ln.jobs) == 0 {
		return
	}
	ln.busy = true
	l.ready = append(l.ready, ln)
	l.cond.Signal()
}

// next blocks until a lane is ready, and returns it with its head; ok is
// false once the lanes are closed.
func (l *lanes) next() (ln *lane, head *job, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.ready) == 0 && !l.closed {
		l.cond.Wait()
	}
	if l.closed {
		return nil, nil, false
	}
	ln = l.ready[0]
	l.ready = l.ready[1:]
	ln.running = true
	return ln, ln.jobs[0], true
}

// done removes the finished head and schedules the lane's next job.
func (l *lanes) done(ln *lane, j *job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln.busy, ln.running = false, false
	l.room.Broadcast()
	if len(ln.jobs) > 0 && ln.jobs[0] == j {
		ln.jobs = ln.jobs[1:]
	} else if i := slices.Index(ln.jobs, j); i >= 0 {
		ln.jobs = slices.Delete(ln.jobs, i, i+1)
	}
	if len(ln.jobs) == 0 {
		delete(l.byExt, ln.ext)
		return
	}
	l.schedule(ln)
}

// park sets the lane aside until wake: its head must wait for an earlier
// event of the extension.
func (l *lanes) park(ln *lane) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln.busy, ln.running = false, false
	ln.parked = true
	l.room.Broadcast()
}

// wake looks at a parked lane again (its extension's state changed).
func (l *lanes) wake(ext string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ln := l.byExt[ext]; ln != nil && ln.parked {
		ln.parked = false
		l.schedule(ln)
	}
}

// wakeAll looks at every parked lane again.
func (l *lanes) wakeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ln := range l.byExt {
		if ln.parked {
			ln.parked = false
			l.schedule(ln)
		}
	}
}

// held returns every job this replica holds, for progress reports.
func (l *lanes) held() []*job {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*job
	for _, ln := range l.byExt {
		out = append(out, ln.jobs...)
	}
	return out
}

// idle takes every job that no runner works on out of the lanes, so that
// they can be handed back at shutdown; running lanes keep their heads.
func (l *lanes) idle() []*job {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*job
	for ext, ln := range l.byExt {
		if ln.running {
			out = append(out, ln.jobs[1:]...)
			ln.jobs = ln.jobs[:1]
			continue
		}
		out = append(out, ln.jobs...)
		delete(l.byExt, ext)
	}
	l.ready = l.ready[:0]
	for _, ln := range l.byExt {
		ln.busy = ln.running
	}
	l.room.Broadcast()
	return out
}

// count is the number of jobs held.
func (l *lanes) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ln := range l.byExt {
		n += len(ln.jobs)
	}
	return n
}

// close releases every runner waiting in next.
func (l *lanes) close() {
	l.mu.Lock()
	l.closed = true
	l.cond.Broadcast()
	l.room.Broadcast()
	l.mu.Unlock()
}
