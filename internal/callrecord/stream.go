package callrecord

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// DefaultRetention is how long call records are kept, in PBXLINK_CALLS and
// in the database (PBXLINK_CALL_RETENTION).
const DefaultRetention = 90 * 24 * time.Hour

// ConsumerCallDB is the database sink's durable consumer on PBXLINK_CALLS.
const ConsumerCallDB = "pbxlink-calldb"

// StreamConfig is PBXLINK_CALLS: file storage, limits retention with
// retention as its maximum age, and a duplicate window of dedup (at least
// two minutes, at most the retention) so that a call the poller reads
// again is stored once.
func StreamConfig(retention, dedup time.Duration, replicas int) jetstream.StreamConfig {
	if retention <= 0 {
		retention = DefaultRetention
	}
	dedup = min(max(dedup, 2*time.Minute), retention)
	return jetstream.StreamConfig{
		Name:        schemas.StreamCalls,
		Description: "pbxlink call records from Zoom's call history: pbxlink.call.<extension>",
		Subjects:    []string{schemas.StreamCallsSubjects},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      retention,
		Duplicates:  dedup,
		Replicas:    max(replicas, 1),
		AllowDirect: true,
	}
}

// DuplicateWindow is how long the stream must remember a call's id: a call
// read at the end of one poll is read again by the next polls while it lies
// in their overlap, and after a leader's crash by the next leader, which
// takes over within the lease's time.
func DuplicateWindow(interval, overlap, leaseTTL time.Duration) time.Duration {
	return overlap + 2*interval + 2*leaseTTL
}

// EnsureStream creates or updates PBXLINK_CALLS with cfg (StreamConfig or
// Poller.StreamConfig). A stream already as cfg says is left alone: every
// replica's poller and the run's start-up ensure it, and an update that
// changes nothing still makes the server rework the stream while another
// replica's sink may be creating its consumer on it (nats-server 2.15.2's
// race detector flags that pair).
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	if s, err := js.Stream(ctx, cfg.Name); err == nil {
		have := s.CachedInfo().Config
		if have.MaxAge == cfg.MaxAge && have.Duplicates == cfg.Duplicates && have.Replicas == max(cfg.Replicas, 1) &&
			slices.Equal(have.Subjects, cfg.Subjects) && have.Storage == cfg.Storage && have.Retention == cfg.Retention {
			return s, nil
		}
	}
	s, err := js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", cfg.Name, err)
	}
	return s, nil
}
