package broker

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Retry runs op until it succeeds, fails with an error that permanent
// accepts, ctx ends, or within elapses, backing off exponentially from 100 ms
// up to 2 s. Replicas starting together on a fresh cluster race to create
// the same streams and buckets, and some of those requests go unanswered;
// retrying is the cure.
func Retry(ctx context.Context, within time.Duration, permanent func(error) bool, op func() error) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 100 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	b.MaxElapsedTime = within
	return backoff.Retry(func() error {
		err := op()
		if err != nil && permanent != nil && permanent(err) {
			return backoff.Permanent(err)
		}
		return err
	}, backoff.WithContext(b, ctx))
}
