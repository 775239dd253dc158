package broker

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// Buckets of pbxlink's own, not part of the public contract.
const (
	// BucketState holds each extension's progress and applied state,
	// shared by every replica: key "ext.<extension>".
	BucketState = "pbxlink-state"
	// BucketFleet holds what the replicas share toward Zoom: the rate
	// schedule of each bucket, the access token (sealed), the directory
	// refresh lease.
	BucketFleet = "pbxlink-fleet"
	// ObjectDirectory holds the last directory snapshot, so that one
	// replica's refresh serves the fleet.
	ObjectDirectory = "pbxlink-directory"
)

// DefaultAckWait is the consumer's default ack wait: short, so that a
// crashed replica's events come back soon.
const DefaultAckWait = 15 * time.Second

// Default retention of the streams (PBXLINK_EVENT_RETENTION and
// PBXLINK_DLQ_RETENTION).
const (
	DefaultHistory             = 7 * 24 * time.Hour
	DefaultDeadLetterRetention = 30 * 24 * time.Hour
)

// Topology is what the worker needs in JetStream.
type Topology struct {
	// Replicas of every stream and bucket: 1 on a single server, 3 on a
	// cluster. Default 1.
	Replicas int
	// History is how long PBXLINK_EVENTS keeps events, for replay. They
	// hold guest names, so no longer than needed. Default DefaultHistory.
	History time.Duration
	// DeadLetterRetention is how long PBXLINK_DLQ keeps dead letters.
	// Default DefaultDeadLetterRetention.
	DeadLetterRetention time.Duration
	// AckWait is the consumer's ack wait; workers report progress every
	// third of it while they work or wait, and a crashed worker's events are
	// redelivered after it. Default DefaultAckWait.
	AckWait time.Duration
	// MaxAckPending bounds the events in flight across all replicas,
	// those waiting for a retry or for an earlier event of their extension
	// included. It is large, so that a room flooded with events cannot hold
	// back every other room; what a replica works on is bounded by the
	// worker's own intake. Default 20000.
	MaxAckPending int
}

func (t Topology) withDefaults() Topology {
	if t.Replicas <= 0 {
		t.Replicas = 1
	}
	if t.History <= 0 {
		t.History = DefaultHistory
	}
	if t.DeadLetterRetention <= 0 {
		t.DeadLetterRetention = DefaultDeadLetterRetention
	}
	if t.AckWait <= 0 {
		t.AckWait = DefaultAckWait
	}
	if t.MaxAckPending <= 0 {
		t.MaxAckPending = 20000
	}
	return t
}

// Provisioned is the handles Provision returns.
type Provisioned struct {
	Events    jetstream.Stream
	DLQ       jetstream.Stream
	Consumer  jetstream.Consumer
	Config    jetstream.KeyValue
	State     jetstream.KeyValue
	Fleet     jetstream.KeyValue
	Directory jetstream.ObjectStore
}

// Provision creates or updates the streams, the durable consumer and the
// buckets. Running it again, from any replica, changes nothing that is
// already right.
func Provision(ctx context.Context, js jetstream.JetStream, t Topology) (*Provisioned, error) {
	t = t.withDefaults()
	var p Provisioned
	var err error
	p.Events, err = js.CreateOrUpdateStream(ctx, EventsStreamConfig(t))
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", schemas.StreamEvents, err)
	}
	p.DLQ, err = js.CreateOrUpdateStream(ctx, DLQStreamConfig(t))
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", schemas.StreamDLQ, err)
	}
	p.Consumer, err = js.CreateOrUpdateConsumer(ctx, schemas.StreamEvents, WorkerConsumerConfig(t))
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", schemas.ConsumerWorker, err)
	}
	p.Config, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      schemas.BucketConfig,
		Description: "pbxlink run-time settings shared by every replica",
		History:     5,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", schemas.BucketConfig, err)
	}
	p.State, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      BucketState,
		Description: "pbxlink per-extension progress and applied state",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", BucketState, err)
	}
	p.Fleet, err = js.CreateOrUpdateKeyValue(ctx, FleetBucketConfig(t))
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", BucketFleet, err)
	}
	p.Directory, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      ObjectDirectory,
		Description: "pbxlink extension directory, shared by the fleet",
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", ObjectDirectory, err)
	}
	return &p, nil
}

// EventsStreamConfig is PBXLINK_EVENTS as the contract describes it.
func EventsStreamConfig(t Topology) jetstream.StreamConfig {
	t = t.withDefaults()
	return jetstream.StreamConfig{
		Name:        schemas.StreamEvents,
		Description: "pbxlink events from the PMS: pbxlink.ext.<extension>.<type>",
		Subjects:    []string{schemas.StreamEventsSubjects},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      t.History,
		Duplicates:  2 * time.Minute,
		Replicas:    t.Replicas,
		AllowDirect: true,
	}
}

// DLQStreamConfig is PBXLINK_DLQ as the contract describes it. Its MaxAge
// is applied to an existing stream too: Provision updates it at start-up.
func DLQStreamConfig(t Topology) jetstream.StreamConfig {
	t = t.withDefaults()
	return jetstream.StreamConfig{
		Name:        schemas.StreamDLQ,
		Description: "pbxlink dead letters: original body, Pbxlink-* headers",
		Subjects:    []string{schemas.StreamDLQSubjects},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      t.DeadLetterRetention,
		Replicas:    t.Replicas,
		AllowDirect: true,
	}
}

// WorkerConsumerConfig is the durable pull consumer every replica shares.
// MaxDeliver is unlimited: the worker counts attempts itself, so that
// waiting for an earlier event of the same extension, or for the end of a
// 429, does not use up an attempt.
func WorkerConsumerConfig(t Topology) jetstream.ConsumerConfig {
	t = t.withDefaults()
	return jetstream.ConsumerConfig{
		Durable:       schemas.ConsumerWorker,
		Description:   "pbxlink workers (all replicas)",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       t.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: t.MaxAckPending,
		FilterSubject: schemas.StreamEventsSubjects,
	}
}

// FleetBucketConfig is the bucket the replicas coordinate through. Its
// values are small and rewritten often; one revision per key is enough.
func FleetBucketConfig(t Topology) jetstream.KeyValueConfig {
	t = t.withDefaults()
	return jetstream.KeyValueConfig{
		Bucket:      BucketFleet,
		Description: "pbxlink fleet coordination: rate schedules, Zoom token, leases",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
	}
}
