package fias

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// ConsumerPostings is the durable consumer on PBXLINK_CALLS the link
// holder reads calls through: one call unacknowledged at a time, so that
// postings go out in order and one at a time across replicas.
const ConsumerPostings = "pbxlink-fias-postings"

// CallSource is a [PostingSource] over the PBXLINK_CALLS stream. Calls
// that are not outgoing, or whose extension is no room's, are acknowledged
// and skipped. Until the stream exists, Next waits for it.
type CallSource struct {
	js    jetstream.JetStream
	rooms Rooms

	mu      sync.Mutex
	pending map[string]jetstream.Msg
	stop    map[string]context.CancelFunc
	cons    jetstream.Consumer
}

// NewCallSource returns a source of postings from js's PBXLINK_CALLS.
func NewCallSource(js jetstream.JetStream, rooms Rooms) *CallSource {
	return &CallSource{js: js, rooms: rooms, pending: map[string]jetstream.Msg{}, stop: map[string]context.CancelFunc{}}
}

// parseCall reads a posting from a call record on subject; ok is false
// when the call is not charged: not outgoing, internal (extension to
// extension), unanswered (no duration) or without a number.
func parseCall(subject string, body []byte) (Posting, bool, error) {
	ev, err := schemas.ParseCall(subject, body)
	if err != nil {
		return Posting{}, false, err
	}
	c := ev.Data
	if c.Direction != "outbound" || c.Internal || c.DurationSeconds <= 0 || digitsOnly(c.OtherNumber) == "" {
		return Posting{}, false, nil
	}
	return Posting{ID: c.CallHistoryID, Extension: c.Extension, Dialled: c.OtherNumber, Start: c.Start,
		Duration: time.Duration(c.DurationSeconds) * time.Second}, true, nil
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// consumer returns the durable consumer, creating it once the stream exists.
func (c *CallSource) consumer(ctx context.Context) (jetstream.Consumer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cons != nil {
		return c.cons, nil
	}
	cons, err := c.js.CreateOrUpdateConsumer(ctx, schemas.StreamCalls, jetstream.ConsumerConfig{
		Durable:       ConsumerPostings,
		Description:   "pbxlink FIAS link: call charges to post to the PMS",
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 1,
		FilterSubject: schemas.StreamCallsSubjects,
	})
	if err != nil {
		return nil, err
	}
	c.cons = cons
	return cons, nil
}

// Next returns the next call to post.
func (c *CallSource) Next(ctx context.Context) (Posting, error) {
	for {
		cons, err := c.consumer(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return Posting{}, ctx.Err()
			}
			if !errors.Is(err, jetstream.ErrStreamNotFound) {
				return Posting{}, fmt.Errorf("consumer %s: %w", ConsumerPostings, err)
			}
			select { // no call records (yet): look again later
			case <-ctx.Done():
				return Posting{}, ctx.Err()
			case <-time.After(5 * time.Second):
			}
			continue
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			if ctx.Err() != nil {
				return Posting{}, ctx.Err()
			}
			continue
		}
		for msg := range batch.Messages() {
			p, ok, err := parseCall(msg.Subject(), msg.Data())
			if _, isRoom := c.rooms.Room(p.Extension); err != nil || !ok || !isRoom {
				_ = msg.Ack()
				continue
			}
			c.hold(p.ID, msg)
			return p, nil
		}
		if ctx.Err() != nil {
			return Posting{}, ctx.Err()
		}
	}
}

// hold keeps msg unacknowledged but alive while its posting waits.
func (c *CallSource) hold(id string, msg jetstream.Msg) {
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.pending[id], c.stop[id] = msg, cancel
	c.mu.Unlock()
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
}

// Done acknowledges the call record of p.
func (c *CallSource) Done(ctx context.Context, p Posting) error {
	c.mu.Lock()
	msg, cancel := c.pending[p.ID], c.stop[p.ID]
	delete(c.pending, p.ID)
	delete(c.stop, p.ID)
	c.mu.Unlock()
	if msg == nil {
		return nil
	}
	cancel()
	return msg.DoubleAck(ctx)
}

// Abandon hands p's call record out again at once.
func (c *CallSource) Abandon(p Posting) {
	c.mu.Lock()
	msg, cancel := c.pending[p.ID], c.stop[p.ID]
	delete(c.pending, p.ID)
	delete(c.stop, p.ID)
	c.mu.Unlock()
	if msg != nil {
		cancel()
		_ = msg.Nak()
	}
}
