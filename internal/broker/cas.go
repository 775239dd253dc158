package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// MaxUpdateAttempts bounds the read-decide-write rounds of Update and
// UpdateJSON. Every lost round means another writer succeeded, so the bound
// is reached only under a write storm on one key; the caller then hears
// ErrContended instead of spinning.
const MaxUpdateAttempts = 16

// ErrContended is matched (errors.Is) by the error of an Update that lost
// the compare-and-swap race MaxUpdateAttempts times in a row. The error
// also wraps the last conflict, so IsConflict holds for it too.
var ErrContended = errors.New("broker: key-value update lost every compare-and-swap race")

// DecodeError says that UpdateJSON found a value it cannot decode; nothing
// was written. Callers that prefer to overwrite an unreadable value use
// Update and decode it themselves.
type DecodeError struct {
	Key string
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("broker: key %s: unreadable value: %v", e.Key, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Update is the one read-modify-write of a key-value key: it reads key,
// lets change decide the next value from the current entry (nil when the
// key does not exist or was deleted), and writes it with compare-and-swap:
// a create when the key was absent, an update on the revision read
// otherwise. When another writer came first (IsConflict: code 10071 on a
// single server, 10164 on a replicated bucket) it reads again and asks
// change again, at most MaxUpdateAttempts times in all; change must
// therefore decide from cur alone and may run more than once.
//
// When change returns a nil next, nothing is written and Update returns the
// revision it read (0 when the key is absent). An error from change stops
// Update at once, nothing written, and is returned as it is. Otherwise
// Update returns the revision it wrote.
func Update(ctx context.Context, kv jetstream.KeyValue, key string, change func(cur jetstream.KeyValueEntry) (next []byte, err error)) (uint64, error) {
	var lastConflict error
	for range MaxUpdateAttempts {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		cur, err := kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			cur = nil
		case err != nil:
			return 0, fmt.Errorf("key %s: %w", key, err)
		}
		next, err := change(cur)
		if err != nil {
			return 0, err
		}
		if next == nil {
			if cur == nil {
				return 0, nil
			}
			return cur.Revision(), nil
		}
		var rev uint64
		if cur == nil {
			rev, err = kv.Create(ctx, key, next)
		} else {
			rev, err = kv.Update(ctx, key, next, cur.Revision())
		}
		if err == nil {
			return rev, nil
		}
		if !IsConflict(err) {
			return 0, fmt.Errorf("key %s: %w", key, err)
		}
		lastConflict = err
	}
	return 0, fmt.Errorf("%w: key %s, %d attempts: %w", ErrContended, key, MaxUpdateAttempts, lastConflict)
}

// UpdateJSON is Update for a key holding one JSON value of type T. change
// gets the decoded current value (the zero T, exists false, when the key is
// absent), may modify it in place, and returns the value to write, or nil
// to write nothing. A stored value that does not decode as T stops it with
// a *DecodeError.
func UpdateJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string, change func(cur *T, exists bool) (next *T, err error)) (uint64, error) {
	return Update(ctx, kv, key, func(e jetstream.KeyValueEntry) ([]byte, error) {
		var cur T
		if e != nil {
			if err := json.Unmarshal(e.Value(), &cur); err != nil {
				return nil, &DecodeError{Key: key, Err: err}
			}
		}
		next, err := change(&cur, e != nil)
		if err != nil || next == nil {
			return nil, err
		}
		return json.Marshal(next)
	})
}
