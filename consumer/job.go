package consumer

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// job is one delivered event held by this replica, from the moment the
// intake receives it until it is acknowledged, terminated or handed back.
type job struct {
	seq       uint64 // stream sequence
	subject   string
	ext       string // "" when the subject's extension token is not one
	typ       string // the subject's type token
	published time.Time

	mu       sync.Mutex
	msg      jetstream.Msg // the newest delivery: acks through it always count
	released bool          // acknowledged, terminated or handed back
}

// message is the delivery to read the event from.
func (j *job) message() jetstream.Msg {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.msg
}

// redelivered takes a newer delivery of the same event: its reply subject is
// the one the server expects now.
func (j *job) redelivered(m jetstream.Msg) {
	j.mu.Lock()
	j.msg = m
	j.mu.Unlock()
}

// progress tells JetStream the event is still held, unless it was released.
// The check and the report happen under one lock with release, so a report
// can never follow a NakWithDelay (the server would reset the delay to the
// ack wait).
func (j *job) progress() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.released {
		_ = j.msg.InProgress()
	}
}

// release acts on the delivery once; later calls do nothing.
func (j *job) release(act func(jetstream.Msg) error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.released {
		return
	}
	j.released = true
	_ = act(j.msg)
}

func (j *job) ack()      { j.release(jetstream.Msg.Ack) }
func (j *job) handBack() { j.release(jetstream.Msg.Nak) }
func (j *job) handBackIn(d time.Duration) {
	j.release(func(m jetstream.Msg) error { return m.NakWithDelay(d) })
}
func (j *job) term(reason string) {
	j.release(func(m jetstream.Msg) error { return m.TermWithReason(reason) })
}
