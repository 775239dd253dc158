package fias

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// Eraser removes guests from every link's state in BucketFIAS, for
// `pbxlink forget` (it is an erase.CallStore-like hook: erase.Config.FIAS).
// Rooms maps the extension to erase back to its rooms, as the links do.
type Eraser struct {
	JS    jetstream.JetStream
	Rooms Rooms
}

// ForgetExtension removes the guests of the rooms whose extension is ext
// and returns how many it removed.
func (e Eraser) ForgetExtension(ctx context.Context, ext string) (int64, error) {
	return e.forget(ctx, func(room string) bool {
		x, err := e.Rooms.Extension(room)
		return err == nil && x == ext
	})
}

// ForgetAll removes every guest of every link.
func (e Eraser) ForgetAll(ctx context.Context) (int64, error) {
	return e.forget(ctx, func(string) bool { return true })
}

// forget rewrites each link's state without the matching rooms' guests,
// with compare-and-swap: a link holder writing at the same time loses its
// write (ErrFenced), reads the state again and goes on from it. The bucket
// keeps one revision per key, so the rewrite leaves no older copy.
func (e Eraser) forget(ctx context.Context, match func(room string) bool) (int64, error) {
	kv, err := e.JS.KeyValue(ctx, BucketFIAS)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("fias: bucket %s: %w", BucketFIAS, err)
	}
	keys, err := kv.ListKeysFiltered(ctx, "link.>")
	if err != nil {
		return 0, fmt.Errorf("fias: bucket %s: %w", BucketFIAS, err)
	}
	var n int64
	for key := range keys.Keys() {
		if !strings.HasPrefix(key, "link.") {
			continue
		}
		m, err := removeGuests(ctx, kv, key, match)
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

// removeGuests rewrites one link's state without the matching rooms'
// guests (broker.UpdateJSON: read again on a conflict); a state without
// any is left as it is.
func removeGuests(ctx context.Context, kv jetstream.KeyValue, key string, match func(string) bool) (int64, error) {
	var n int64
	_, err := broker.UpdateJSON(ctx, kv, key, func(s *State, exists bool) (*State, error) {
		n = 0
		for room, r := range s.Rooms {
			if match(room) && len(r.Guests) > 0 {
				n += int64(len(r.Guests))
				r.Guests = nil
				s.tidy(room)
			}
		}
		if n == 0 {
			return nil, nil // nothing to remove (or the key is gone)
		}
		return s, nil
	})
	if err != nil {
		return 0, fmt.Errorf("fias: %s: %w", key, err)
	}
	return n, nil
}
