// Package erase removes guests' data from every place pbxlink keeps it in
// NATS: a guest's right to erasure (pbxlink forget --ext N) and a Zoom
// de-authorization (pbxlink forget --all) both use it. It works on a live
// system: the workers may go on running.
//
// The places, by extension N:
//   - PBXLINK_EVENTS, subject pbxlink.ext.N.* (the PMS's events hold names);
//   - PBXLINK_DLQ, subject pbxlink.dlq.ext.N.* (dead letters keep the body);
//   - the pbxlink-state bucket, key ext.N (the stay), purged so that no
//     earlier revision keeps it;
//   - PBXLINK_CALLS, subject pbxlink.call.N, where call records are kept;
//   - the pbxlink-directory snapshot, which holds the names Zoom showed when
//     it was loaded: it is sealed, so it is dropped whole and the next
//     directory load rebuilds it from Zoom.
//
// Every purge is by subject: it removes the messages, not just marks them.
package erase

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
)

// Names of places that are not in package schemas or broker.
const (
	// StreamCalls keeps call records, pbxlink.call.<extension>.
	StreamCalls = "PBXLINK_CALLS"
	// callSubjectPrefix starts a call record's subject.
	callSubjectPrefix = "pbxlink.call."
	// snapshotObject is the directory snapshot in broker.ObjectDirectory.
	snapshotObject = "snapshot"
	// stateKeyPrefix starts a stay's key in broker.BucketState.
	stateKeyPrefix = "ext."
)

// ErrExtension is returned for an extension that is not 1 to 15 digits.
var ErrExtension = errors.New("erase: the extension must be 1 to 15 digits")

var extension = regexp.MustCompile(`^[0-9]{1,15}$`)

// Removed is what one place gave up.
type Removed struct {
	// Place names it: a stream and subject, a bucket and key, an object.
	Place string
	// Messages is the number of stored messages (events, dead letters,
	// revisions of a key, call records, snapshot chunks) removed.
	Messages uint64
}

// Report lists every place looked at, in a fixed order, with what was
// removed from it (zero when it held nothing of the guest).
type Report []Removed

// Total is the number of messages removed from all places.
func (r Report) Total() uint64 {
	var n uint64
	for _, p := range r {
		n += p.Messages
	}
	return n
}

// Config says how to erase.
type Config struct {
	// Settle is how long to wait before a second pass, which catches what
	// a worker busy with the extension at the time of the first pass wrote
	// after it (its stay in pbxlink-state, a dead letter). Default 2 s;
	// negative: one pass.
	Settle time.Duration
	// Calls, when set, is the call-record database: the extension's
	// records (every record, for All) are removed from it too.
	Calls CallStore
	// FIAS, when set, removes the extension's guests (every guest, for
	// All) from the FIAS links' occupancy (fias.Eraser has it).
	FIAS CallStore
}

// CallStore is a store of guest data kept outside NATS streams as erasure
// needs it: the call-record database (callrecord.Store), the FIAS links'
// occupancy (fias.Eraser).
type CallStore interface {
	ForgetExtension(ctx context.Context, ext string) (int64, error)
	ForgetAll(ctx context.Context) (int64, error)
}

// Extension erases one extension's guest data. Places that do not exist
// (call records never switched on) are skipped.
func Extension(ctx context.Context, js jetstream.JetStream, ext string, cfg Config) (Report, error) {
	if !extension.MatchString(ext) {
		return nil, fmt.Errorf("%w: %q", ErrExtension, ext)
	}
	return twice(ctx, cfg, func() (Report, error) { return pass(ctx, js, &ext, cfg) })
}

// All erases every guest's data: the places above for every extension,
// and the dead letters that no extension could be read from.
func All(ctx context.Context, js jetstream.JetStream, cfg Config) (Report, error) {
	return twice(ctx, cfg, func() (Report, error) { return pass(ctx, js, nil, cfg) })
}

func twice(ctx context.Context, cfg Config, one func() (Report, error)) (Report, error) {
	if cfg.Settle == 0 {
		cfg.Settle = 2 * time.Second
	}
	first, err := one()
	if err != nil || cfg.Settle < 0 {
		return first, err
	}
	t := time.NewTimer(cfg.Settle)
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		return first, ctx.Err()
	}
	second, err := one()
	for i := range first {
		if i < len(second) {
			first[i].Messages += second[i].Messages
		}
	}
	return first, err
}

// pass erases once; ext nil means every extension.
func pass(ctx context.Context, js jetstream.JetStream, ext *string, cfg Config) (Report, error) {
	all := ext == nil
	subject := func(prefix, suffix string) string {
		if all {
			return prefix + ">"
		}
		return prefix + *ext + suffix
	}
	var r Report
	for _, s := range []struct{ stream, filter string }{
		{schemas.StreamEvents, subject(schemas.SubjectPrefix, ".*")},
		{schemas.StreamDLQ, subject(schemas.DLQSubjectPrefix+"ext.", ".*")},
		{StreamCalls, subject(callSubjectPrefix, "")},
	} {
		n, err := purgeSubject(ctx, js, s.stream, s.filter)
		if err != nil {
			return r, err
		}
		r = append(r, Removed{Place: "stream " + s.stream + " " + s.filter, Messages: n})
	}
	if all {
		// Dead letters whose subject named no extension.
		n, err := purgeSubject(ctx, js, schemas.StreamDLQ, schemas.DLQSubjectPrefix+">")
		if err != nil {
			return r, err
		}
		r = append(r, Removed{Place: "stream " + schemas.StreamDLQ + " " + schemas.DLQSubjectPrefix + ">", Messages: n})
	}
	n, err := purgeState(ctx, js, ext)
	if err != nil {
		return r, err
	}
	keys := stateKeyPrefix + "*"
	if !all {
		keys = stateKeyPrefix + *ext
	}
	r = append(r, Removed{Place: "bucket " + broker.BucketState + " " + keys, Messages: n})
	n, err = dropSnapshot(ctx, js)
	if err != nil {
		return r, err
	}
	r = append(r, Removed{Place: "object store " + broker.ObjectDirectory + " " + snapshotObject, Messages: n})
	for _, store := range []struct {
		s        CallStore
		all, one string
	}{
		{cfg.Calls, "call database, every call", "call database, calls of extension "},
		{cfg.FIAS, "FIAS occupancy, every guest", "FIAS occupancy, guests of extension "},
	} {
		if store.s == nil {
			continue
		}
		var rows int64
		place := store.all
		if all {
			rows, err = store.s.ForgetAll(ctx)
		} else {
			rows, err = store.s.ForgetExtension(ctx, *ext)
			place = store.one + *ext
		}
		if err != nil {
			return r, fmt.Errorf("erase: %s: %w", place, err)
		}
		r = append(r, Removed{Place: place, Messages: uint64(rows)})
	}
	return r, nil
}

// purgeSubject removes a subject's messages from a stream and returns how
// many there were; a stream that does not exist holds none.
func purgeSubject(ctx context.Context, js jetstream.JetStream, stream, filter string) (uint64, error) {
	s, err := js.Stream(ctx, stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("erase: stream %s: %w", stream, err)
	}
	n, err := countSubject(ctx, s, filter)
	if err != nil {
		return 0, fmt.Errorf("erase: stream %s: %w", stream, err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject(filter)); err != nil {
		return 0, fmt.Errorf("erase: purge %s %s: %w", stream, filter, err)
	}
	return n, nil
}

// countSubject is the number of messages a stream holds on filter.
func countSubject(ctx context.Context, s jetstream.Stream, filter string) (uint64, error) {
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n, nil
}

// purgeState purges the stay of ext from the state bucket, with every
// earlier revision, and returns the number of revisions removed. The purge
// leaves a marker naming the key, without a value: no guest data. For
// every extension (ext nil) it purges the bucket's ext.* subjects outright,
// markers and all.
func purgeState(ctx context.Context, js jetstream.JetStream, ext *string) (uint64, error) {
	if ext == nil {
		return purgeSubject(ctx, js, "KV_"+broker.BucketState, "$KV."+broker.BucketState+"."+stateKeyPrefix+">")
	}
	kv, err := js.KeyValue(ctx, broker.BucketState)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("erase: bucket %s: %w", broker.BucketState, err)
	}
	key := stateKeyPrefix + *ext
	hist, err := kv.History(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("erase: bucket %s key %s: %w", broker.BucketState, key, err)
	}
	var n uint64
	for _, e := range hist {
		if e.Operation() == jetstream.KeyValuePut {
			n++
		}
	}
	if n == 0 {
		return 0, nil // already purged or deleted
	}
	if err := kv.Purge(ctx, key); err != nil {
		return 0, fmt.Errorf("erase: bucket %s key %s: %w", broker.BucketState, key, err)
	}
	return n, nil
}

// dropSnapshot deletes the directory snapshot (its chunks are purged) and
// returns the number of chunks it had.
func dropSnapshot(ctx context.Context, js jetstream.JetStream) (uint64, error) {
	obs, err := js.ObjectStore(ctx, broker.ObjectDirectory)
	if errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("erase: object store %s: %w", broker.ObjectDirectory, err)
	}
	info, err := obs.GetInfo(ctx, snapshotObject)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("erase: object store %s: %w", broker.ObjectDirectory, err)
	}
	if err := obs.Delete(ctx, snapshotObject); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return 0, fmt.Errorf("erase: object store %s: %w", broker.ObjectDirectory, err)
	}
	return uint64(info.Chunks), nil
}
