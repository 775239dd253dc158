package consumer

import (
	"slices"
	"sync"
)

// lane is the queue of one extension's events on this replica, in stream
// order. Only its head is ever worked on, so the events of an extension take
// effect one after another; different lanes run in parallel.
type lane struct {
	ext     string
	jobs    []*job
	busy    bool // ready for a runner, or running
	running bool // a runner works on the head
	parked  bool // the head waits for something outside this replica
	woken   bool // a wake came while the head was running: look again
}

// lanes schedules lanes onto a fixed number of runners. It is a pure
// scheduler: it never talks to NATS or Zoom, so it can be tested alone.
type lanes struct {
	mu     sync.Mutex
	cond   *sync.Cond // a lane became ready, or the lanes closed
	room   *sync.Cond // a job finished or parked: maybe room for more
	byExt  map[string]*lane
	ready  []*lane
	closed bool
	// perExt is how many of one extension's jobs count as runnable: a room
	// flooded with events cannot take this replica's whole intake from the
	// other rooms. Its further jobs are held, but do not count.
	perExt int
	// holdMax caps the jobs one extension may hold on this replica at all;
	// more are handed back for a while, so that a flood costs bounded
	// memory and progress reports.
	holdMax int
}

func newLanes(perExt, holdMax int) *lanes {
	l := &lanes{byExt: map[string]*lane{}, perExt: max(perExt, 1), holdMax: max(holdMax, perExt, 1)}
	l.cond = sync.NewCond(&l.mu)
	l.room = sync.NewCond(&l.mu)
	return l
}

// free is how many more jobs may be taken so that at most limit could run,
// waiting while there is no room. It returns 0 once the lanes close or
// stop() says so. Jobs of parked lanes do not count, so that the earlier
// event a parked lane waits for can always come in; nor do a lane's jobs
// beyond perExt, so that one busy room leaves room for the others.
func (l *lanes) free(limit int, stop func() bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if l.closed || stop() {
			return 0
		}
		if n := limit - l.runnable(); n > 0 {
			return n
		}
		l.room.Wait()
	}
}

func (l *lanes) runnable() int {
	n := 0
	for _, ln := range l.byExt {
		if !ln.parked {
			n += min(len(ln.jobs), l.perExt)
		}
	}
	return n
}

// add queues a delivered job in its extension's lane. It returns the job
// that must be handed back instead of held: j itself when its lane holds
// holdMax earlier events, or the lane's latest job that j displaced (an earlier
// event always gets in, so the head can progress). A redelivery of a job
// already held keeps the held job, with the newer delivery. The lanes
// closed, j is returned.
func (l *lanes) add(j *job) (excess *job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return j
	}
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
		ln.jobs[i].redelivered(j.message())
		return nil
	}
	if len(ln.jobs) >= l.holdMax {
		if i == len(ln.jobs) {
			return j
		}
		excess = ln.jobs[len(ln.jobs)-1]
		ln.jobs = ln.jobs[:len(ln.jobs)-1]
	}
	ln.jobs = slices.Insert(ln.jobs, i, j)
	if i == 0 {
		l.look(ln) // a new head: look again
	}
	l.schedule(ln)
	return excess
}

// look makes a parked lane workable again, or marks a running one to be
// looked at again when its runner is done with it.
func (l *lanes) look(ln *lane) {
	if ln.running {
		ln.woken = true
		return
	}
	if ln.parked {
		ln.parked = false
		l.room.Broadcast()
	}
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
	ln.running, ln.woken = true, false
	return ln, ln.jobs[0], true
}

// done removes the finished head and schedules the lane's next job.
func (l *lanes) done(ln *lane, j *job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln.busy, ln.running, ln.woken = false, false, false
	l.room.Broadcast()
	if i := slices.Index(ln.jobs, j); i >= 0 {
		ln.jobs = slices.Delete(ln.jobs, i, i+1)
	}
	if len(ln.jobs) == 0 {
		delete(l.byExt, ln.ext)
		return
	}
	l.schedule(ln)
}

// park sets the lane aside until wake: its head waits for something held
// elsewhere. A wake that came while the head was being worked on is not
// lost: the lane goes straight back to the ready queue.
func (l *lanes) park(ln *lane) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln.busy, ln.running = false, false
	if ln.woken {
		ln.woken = false
		l.schedule(ln)
		return
	}
	ln.parked = true
	l.room.Broadcast()
}

// wake looks at an extension's lane again (its state changed).
func (l *lanes) wake(ext string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ln := l.byExt[ext]; ln != nil {
		l.look(ln)
		l.schedule(ln)
	}
}

// wakeAll looks at every parked lane again.
func (l *lanes) wakeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ln := range l.byExt {
		if ln.parked {
			l.look(ln)
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

// emptied waits until no job is held or stop says to give up; it reports
// whether the lanes emptied.
func (l *lanes) emptied(stop <-chan struct{}) bool {
	gaveUp := make(chan struct{})
	returned := make(chan struct{})
	defer close(returned)
	go func() {
		select {
		case <-stop:
		case <-returned:
			return
		}
		l.mu.Lock()
		close(gaveUp)
		l.room.Broadcast()
		l.mu.Unlock()
	}()
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		n := 0
		for _, ln := range l.byExt {
			n += len(ln.jobs)
		}
		if n == 0 {
			return true
		}
		select {
		case <-gaveUp:
			return false
		default:
		}
		l.room.Wait()
	}
}

// poke wakes every waiter in free, so that it looks at its stop function
// again. The lock makes sure a waiter between its check and its wait is not
// missed.
func (l *lanes) poke() {
	l.mu.Lock()
	l.room.Broadcast()
	l.mu.Unlock()
}

// close releases every runner waiting in next and every waiter in free.
func (l *lanes) close() {
	l.mu.Lock()
	l.closed = true
	l.cond.Broadcast()
	l.room.Broadcast()
	l.mu.Unlock()
}
