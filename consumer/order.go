package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
)

// stateKey is the bucket key of an extension.
func stateKey(ext string) string { return "ext." + ext }

// errConflict: the record changed since it was read.
var errConflict = errors.New("state changed concurrently")

// store reads and writes records. Reads go to the stream leader, never to a
// direct get that a lagging follower may answer: the revision read must be
// the current one, or an order decision could be taken on old facts.
type store struct {
	js jetstream.JetStream
	kv jetstream.KeyValue
}

func (s store) stream() string { return "KV_" + broker.BucketState }

// get returns the record and its revision (0 when the key never existed).
func (s store) get(ctx context.Context, ext string) (record, uint64, error) {
	m, err := broker.LeaderGet(ctx, s.js, s.stream(), broker.MsgQuery{LastBySubject: "$KV." + broker.BucketState + "." + stateKey(ext)})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return record{}, 0, nil
	}
	if err != nil {
		return record{}, 0, fmt.Errorf("read state of %s: %w", ext, err)
	}
	if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
		return record{}, m.Sequence, nil // erased (pbxlink forget): start afresh
	}
	var r record
	if err := json.Unmarshal(m.Data, &r); err != nil {
		return record{}, 0, fmt.Errorf("decode state of %s: %w", ext, err)
	}
	return r, m.Sequence, nil
}

// put writes r if the record is still at rev (0: must not exist yet), and
// returns the new revision. A write is not cut short by the caller's
// cancellation: one that reached the server but was reported as cancelled
// would leave a claim nobody knows it holds.
func (s store) put(ctx context.Context, ext string, r record, rev uint64) (uint64, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	b, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	var next uint64
	if rev == 0 {
		next, err = s.kv.Create(ctx, stateKey(ext), b)
	} else {
		next, err = s.kv.Update(ctx, stateKey(ext), b, rev)
	}
	if broker.IsConflict(err) {
		return 0, errConflict
	}
	if err != nil {
		return 0, fmt.Errorf("write state of %s: %w", ext, err)
	}
	return next, nil
}

// turn is what the order check says of an event.
type turn int

const (
	turnGo     turn = iota // the oldest unfinished event of its extension
	turnWait               // an earlier event of the extension is unfinished
	turnErased             // the event is no longer in the stream (forgotten)
)

// order decides whether j is the oldest unfinished event of its extension:
// the first message on pbxlink.ext.<ext>.* after the extension's last
// finished event (or the consumer's ack floor, if that is higher: everything
// at or below it is finished). "Not found" is never taken as "go": j itself
// is in the stream unless it was erased, so not finding it means exactly
// that.
func (w *Worker) order(ctx context.Context, j *job, rec record) (turn, error) {
	floor := max(rec.Seq, w.ackFloor.Load())
	if j.seq <= floor+1 {
		return turnGo, nil
	}
	m, err := broker.LeaderGet(ctx, w.cfg.JetStream, schemas.StreamEvents,
		broker.MsgQuery{Seq: floor + 1, NextBySubject: schemas.SubjectPrefix + j.ext + ".*"})
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return turnErased, nil
	case err != nil:
		return turnWait, err
	case m.Sequence < j.seq:
		return turnWait, nil
	case m.Sequence > j.seq:
		return turnErased, nil
	}
	return turnGo, nil
}

// Claim timing. A holder calls Zoom only inside its claim: every call's
// deadline ends claimMargin before the claim does, and a call starts only
// with at least callBudget of claim left (the claim is renewed first when
// less is left). A replica that finds another's claim waits until
// claimMargin after it ended. As long as clocks differ by less than
// claimMargin and Zoom applies a request within claimMargin of receiving
// it, no write of a former holder can land after a new holder's first one.
const (
	claimTTL    = 30 * time.Second
	callBudget  = 15 * time.Second
	claimMargin = 2 * time.Second
)

// live reports whether a claim is held by someone else at now.
func (c *claim) live(holder string, now time.Time) bool {
	return c != nil && c.Holder != holder && now.Before(c.Until.Add(claimMargin))
}
