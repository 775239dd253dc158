package fias

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Names of the call records the postings come from (the call-records
// feature's stream, CloudEvents of type pbxlink.call).
const (
	StreamCalls       = "PBXLINK_CALLS"
	CallSubjectPrefix = "pbxlink.call."
	// ConsumerPostings is the durable consumer the link holder reads
	// calls through: one call unacknowledged at a time, so that postings
	// go out in order and one at a time across replicas.
	ConsumerPostings = "pbxlink-fias-postings"
)

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

// callEvent is the part of a pbxlink.call CloudEvent a posting needs. The
// field names tolerate the spellings a call record may use.
type callEvent struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Subject string          `json:"subject"`
	Data    json.RawMessage `json:"data"`
}

type callData struct {
	CallID          string   `json:"call_id"`
	ID              string   `json:"id"`
	Direction       string   `json:"direction"`
	Start           string   `json:"start"`
	StartTime       string   `json:"start_time"`
	Duration        *float64 `json:"duration"`
	DurationSeconds *float64 `json:"duration_seconds"`
	Number          string   `json:"other_number"`
	Callee          string   `json:"callee_number"`
	To              string   `json:"to"`
	Dialled         string   `json:"dialed_number"`
}

// parseCall reads a posting from a call record on ext; ok is false when
// the call is not one to post (not outgoing, no number).
func parseCall(ext string, body []byte) (Posting, bool, error) {
	var ev callEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return Posting{}, false, fmt.Errorf("call record: %w", err)
	}
	var d callData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return Posting{}, false, fmt.Errorf("call record %s: data: %w", ev.ID, err)
	}
	switch strings.ToLower(d.Direction) {
	case "outbound", "outgoing", "out":
	default:
		return Posting{}, false, nil
	}
	p := Posting{ID: first(d.CallID, d.ID, ev.ID), Extension: ext, Dialled: first(d.Dialled, d.Callee, d.Number, d.To)}
	if t, err := time.Parse(time.RFC3339Nano, first(d.Start, d.StartTime)); err == nil {
		p.Start = t
	} else {
		return Posting{}, false, fmt.Errorf("call record %s: start: %w", p.ID, err)
	}
	for _, s := range []*float64{d.DurationSeconds, d.Duration} {
		if s != nil {
			p.Duration = time.Duration(*s * float64(time.Second))
			break
		}
	}
	if p.ID == "" || digitsOnly(p.Dialled) == "" {
		return Posting{}, false, nil
	}
	return p, true, nil
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
	cons, err := c.js.CreateOrUpdateConsumer(ctx, StreamCalls, jetstream.ConsumerConfig{
		Durable:       ConsumerPostings,
		Description:   "pbxlink FIAS link: call charges to post to the PMS",
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 1,
		FilterSubject: CallSubjectPrefix + "*",
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
			ext := strings.TrimPrefix(msg.Subject(), CallSubjectPrefix)
			p, ok, err := parseCall(ext, msg.Data())
			if _, isRoom := c.rooms.Room(ext); err != nil || !ok || !isRoom {
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
