package consumer

import (
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// Intake. The worker pulls only what its lanes can take: each fetch asks
// for the free room and no more, so no event waits in a client buffer
// unseen. An event is held in a lane from the moment it arrives, and every
// held event is reported in progress every third of the ack wait until it
// is acknowledged, terminated or handed back: JetStream never redelivers an
// event that a live replica holds.
const (
	// fetchWait is how long one fetch waits for events.
	fetchWait = time.Second
	// excessDelay is how long an event beyond maxHeldPerExtension waits
	// before it is delivered again (no attempt is used).
	excessDelay = 5 * time.Second
	// maxHeldPerExtension bounds the events of one extension a replica
	// holds, so that a flooded room costs bounded memory.
	maxHeldPerExtension = 64
)

// maxRunnable is how many events one replica holds ready to work on:
// enough to keep every runner busy, few enough that a crash strands little.
func (w *Worker) maxRunnable() int { return 4 * w.cfg.Concurrency }

// pull fetches events while the worker runs.
func (w *Worker) pull() {
	defer w.intake.Done()
	stopping := w.stopping.Load
	for {
		n := w.lanes.free(w.maxRunnable(), stopping)
		if n == 0 {
			return
		}
		batch, err := w.nats.Consumer.Fetch(n, jetstream.FetchMaxWait(fetchWait))
		if err != nil {
			w.log.Warn("fetch failed; trying again", "err", err)
			if stopping() {
				return
			}
			time.Sleep(time.Second)
			continue
		}
		for msg := range batch.Messages() {
			w.receive(msg)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			w.log.Debug("fetch ended", "err", err)
		}
	}
}

// receive queues a delivered event in its extension's lane, or hands it
// back when the worker is stopping or the lane is full.
func (w *Worker) receive(msg jetstream.Msg) {
	md, err := msg.Metadata()
	if err != nil {
		w.log.Error("message without JetStream metadata", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	j := &job{msg: msg, seq: md.Sequence.Stream, subject: msg.Subject(), published: md.Timestamp}
	if tok := strings.Split(j.subject, "."); len(tok) == 4 {
		j.typ = tok[3]
		if schemas.ValidExtension(tok[2]) {
			j.ext = tok[2]
		}
	}
	if w.stopping.Load() {
		j.handBack()
		return
	}
	j.progress() // the ack wait starts again from now
	if excess := w.lanes.add(j); excess != nil {
		excess.handBackIn(excessDelay)
	}
}
