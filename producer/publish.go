package producer

import (
	"context"
	"errors"
	"fmt"

	"github.com/cenkalti/backoff/v4"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// Publish publishes an event of type t for extension ext and waits for the
// stream's acknowledgement. data is the type's data: a schemas Payload
// (such as schemas.CheckIn), a json.RawMessage, or any value that encodes
// to the JSON the type's schema describes; nil stands for {}. The typed
// methods call Publish; the command line uses it directly.
//
// An event that breaks the contract is not sent: the error is a
// *schemas.ValidationError, matching schemas.ErrInvalidEvent. A failure to
// publish is a [*PublishError].
func (p *Producer) Publish(ctx context.Context, ext string, t schemas.Type, data any, opts ...PublishOption) (*Result, error) {
	ev, body, err := p.prepare(ext, t, data, applyOptions(opts))
	if err != nil {
		return nil, err
	}
	return p.send(ctx, ev, body)
}

// prepare builds, encodes and validates an event.
func (p *Producer) prepare(ext string, t schemas.Type, data any, o publishOptions) (schemas.Event, []byte, error) {
	ev, err := schemas.NewEvent(ext, t, data)
	if err != nil {
		return schemas.Event{}, nil, err
	}
	ev.ID, ev.Time = o.id, o.at
	if ev.ID == "" {
		ev.ID = p.cfg.NewID()
	}
	if ev.Time.IsZero() {
		ev.Time = p.cfg.Now()
	}
	ev.Source = p.cfg.Source
	body, err := schemas.Marshal(ev)
	if err != nil {
		return schemas.Event{}, nil, err
	}
	return ev, body, nil
}

// send publishes an encoded event, retrying transient failures.
func (p *Producer) send(ctx context.Context, ev schemas.Event, body []byte) (*Result, error) {
	t, _ := schemas.ParseEventType(ev.Type)
	subject := schemas.EventSubject(ev.Subject, t)
	attempts := 0
	var last error
	attempt := func() (*jetstream.PubAck, error) {
		attempts++
		actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
		defer cancel()
		msg := &nats.Msg{
			Subject: subject,
			Data:    body,
			Header: nats.Header{
				schemas.HeaderMsgID:       []string{ev.ID},
				schemas.HeaderContentType: []string{schemas.ContentTypeCloudEvents},
			},
		}
		// Retries are ours, with back-off: the client's own are switched off.
		ack, err := p.js.PublishMsg(actx, msg, jetstream.WithRetryAttempts(0))
		if err == nil {
			return ack, nil
		}
		last = err
		if ctx.Err() != nil || !transient(err) {
			return nil, backoff.Permanent(err)
		}
		return nil, err
	}
	ack, err := backoff.RetryNotifyWithData(attempt, p.newBackOff(ctx), nil)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && last != nil && !errors.Is(last, cerr) {
			err = fmt.Errorf("%w (last attempt: %w)", cerr, last)
		}
		return nil, &PublishError{Subject: subject, ID: ev.ID, Attempts: attempts, Err: err}
	}
	return &Result{Subject: subject, Event: ev, Ack: *ack, Attempts: attempts}, nil
}
