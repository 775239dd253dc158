package producer

import (
	"context"
	"errors"

	"github.com/cenkalti/backoff/v4"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// newBackOff returns the retry policy of one publish.
func (p *Producer) newBackOff(ctx context.Context) backoff.BackOff {
	var b backoff.BackOff = &backoff.StopBackOff{}
	if p.cfg.MaxElapsed > 0 {
		b = backoff.NewExponentialBackOff(
			backoff.WithInitialInterval(p.cfg.InitialInterval),
			backoff.WithMaxInterval(p.cfg.MaxInterval),
			backoff.WithMaxElapsedTime(p.cfg.MaxElapsed),
		)
	}
	return backoff.WithContext(b, ctx)
}

// transient reports whether a publish that failed with err may succeed if
// sent again: no stream answers the subject (not created yet, or a leader
// election), the acknowledgement did not come in time, the connection is
// reconnecting, or JetStream reports itself unavailable (API code 5xx).
// Anything else, such as a 4xx API error (message too large, wrong
// expected stream) or a closed connection, is permanent.
func transient(err error) bool {
	switch {
	case errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, nats.ErrNoResponders),
		errors.Is(err, nats.ErrTimeout),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrDisconnected):
		return true
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code >= 500
	}
	return false
}
