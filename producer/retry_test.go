package producer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestRetryUntilStreamExists publishes before the worker has created the
// stream: the publish is retried and succeeds once the stream appears.
func TestRetryUntilStreamExists(t *testing.T) {
	js := startJetStream(t)
	p := newProducer(t, js, testConfig())
	go func() {
		time.Sleep(300 * time.Millisecond)
		if _, err := js.CreateStream(context.Background(), eventsStreamConfig()); err != nil {
			t.Error(err)
		}
	}()
	res, err := p.DND(context.Background(), "1203", true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts < 2 || res.Ack.Sequence != 1 {
		t.Errorf("Result %+v, want several attempts and sequence 1", res)
	}
}

func TestRetryGivesUp(t *testing.T) {
	js := startJetStream(t)
	tests := []struct {
		name         string
		maxElapsed   time.Duration
		wantAttempts func(int) bool
	}{
		{"after MaxElapsed", 300 * time.Millisecond, func(n int) bool { return n >= 2 }},
		{"no retries", -1, func(n int) bool { return n == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxElapsed = tt.maxElapsed
			p := newProducer(t, js, cfg)
			start := time.Now()
			_, err := p.DND(context.Background(), "1203", true)
			var pe *PublishError
			if !errors.As(err, &pe) || !errors.Is(err, jetstream.ErrNoStreamResponse) {
				t.Fatalf("error %v, want a PublishError for no stream", err)
			}
			if !tt.wantAttempts(pe.Attempts) || pe.Subject != "pbxlink.ext.1203.dnd" || pe.ID == "" {
				t.Errorf("PublishError %+v", pe)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("gave up after %s", d)
			}
		})
	}
}

// TestValidationErrorNotRetried checks that a bad event is refused before
// anything is sent.
func TestValidationErrorNotRetried(t *testing.T) {
	js := startJetStream(t)
	rec := &recordingJS{JetStream: js}
	p := newProducer(t, rec, testConfig())
	ctx := context.Background()
	tests := []struct {
		name      string
		publish   func() (*Result, error)
		wantField string
	}{
		{"no guest name", func() (*Result, error) { return p.CheckIn(ctx, "1203", schemas.CheckIn{}) }, "data.guest"},
		{"name too long", func() (*Result, error) {
			return p.CheckIn(ctx, "1203", schemas.CheckIn{Guest: schemas.Guest{First: string(make([]byte, 300))}})
		}, "data.guest.first"},
		{"empty guest change", func() (*Result, error) { return p.GuestChange(ctx, "1203", schemas.GuestChange{}) }, "data"},
		{"bad extension", func() (*Result, error) { return p.DND(ctx, "12 03", true) }, "subject"},
		{"bad id", func() (*Result, error) { return p.DND(ctx, "1203", true, WithID("a\nb")) }, "id"},
		{"unknown type", func() (*Result, error) { return p.Publish(ctx, "1203", "nope", nil) }, "type"},
		{"data of another type", func() (*Result, error) { return p.Publish(ctx, "1203", schemas.TypeCheckIn, schemas.DND{}) }, "type"},
		{"map with typo", func() (*Result, error) {
			return p.Publish(ctx, "1203", schemas.TypeDND, map[string]any{"on": true, "of": false})
		}, "data.of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.publish()
			var ve *schemas.ValidationError
			if !errors.Is(err, schemas.ErrInvalidEvent) || !errors.As(err, &ve) {
				t.Fatalf("error %v, want a ValidationError", err)
			}
			if ve.Field != tt.wantField {
				t.Errorf("field %q (%v), want %q", ve.Field, err, tt.wantField)
			}
		})
	}
	if calls := rec.Calls(); len(calls) != 0 {
		t.Errorf("invalid events were sent: %v", calls)
	}
}

// TestPermanentServerErrorNotRetried makes the stream refuse the event for
// good (too large): the error comes back after one attempt.
func TestPermanentServerErrorNotRetried(t *testing.T) {
	js := startJetStream(t)
	createStream(t, js, func(c *jetstream.StreamConfig) { c.MaxMsgSize = 64 })
	p := newProducer(t, js, testConfig())
	_, err := p.DND(context.Background(), "1203", true)
	var pe *PublishError
	var apiErr *jetstream.APIError
	if !errors.As(err, &pe) || !errors.As(err, &apiErr) {
		t.Fatalf("error %v, want a PublishError with an APIError", err)
	}
	if pe.Attempts != 1 || apiErr.Code >= 500 {
		t.Errorf("attempts %d, API error %+v", pe.Attempts, apiErr)
	}
}

func TestContextCanceled(t *testing.T) {
	js := startJetStream(t)
	cfg := testConfig()
	cfg.MaxElapsed = time.Minute
	p := newProducer(t, js, cfg)

	t.Run("while retrying", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		_, err := p.DND(ctx, "1203", true)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, jetstream.ErrNoStreamResponse) {
			t.Errorf("error %v, want canceled and the last attempt's error", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("returned after %s", d)
		}
	})
	t.Run("before publishing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := p.DND(ctx, "1203", true)
		var pe *PublishError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &pe) || pe.Attempts != 1 {
			t.Errorf("error %v", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := p.DND(ctx, "1203", true)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v", err)
		}
	})
}

// TestAttemptTimeoutRetried makes the first attempt hang: it times out
// after Config.Timeout and the second attempt succeeds, with the same id.
func TestAttemptTimeoutRetried(t *testing.T) {
	js := startJetStream(t)
	createStream(t, js, nil)
	var ids []string
	rec := &recordingJS{JetStream: js, fail: func(ctx context.Context, n int, msg *nats.Msg) error {
		ids = append(ids, msg.Header.Get(schemas.HeaderMsgID))
		if n == 0 {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}}
	cfg := testConfig()
	cfg.Timeout = 100 * time.Millisecond
	p := newProducer(t, rec, cfg)
	res, err := p.DND(context.Background(), "1203", true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 2 || len(ids) != 2 || ids[0] != ids[1] || ids[0] != res.Event.ID {
		t.Errorf("attempts %d, ids %v, event id %q", res.Attempts, ids, res.Event.ID)
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{jetstream.ErrNoStreamResponse, true},
		{nats.ErrNoResponders, true},
		{nats.ErrTimeout, true},
		{context.DeadlineExceeded, true},
		{nats.ErrConnectionReconnecting, true},
		{fmt.Errorf("nats: %w", &jetstream.APIError{Code: 503, ErrorCode: 10039, Description: "jetstream not available"}), true},
		{fmt.Errorf("nats: %w", &jetstream.APIError{Code: 400, ErrorCode: 10054, Description: "message size exceeds maximum allowed"}), false},
		{context.Canceled, false},
		{nats.ErrConnectionClosed, false},
		{nats.ErrMaxPayload, false},
		{jetstream.ErrInvalidJSAck, false},
		{&schemas.ValidationError{}, false},
	}
	for _, tt := range tests {
		if got := transient(tt.err); got != tt.want {
			t.Errorf("transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
