package broker

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// OpenFleetBucket opens pbxlink-fleet for a command that works beside the
// workers (pbxlink authorize, pbxlink reconcile), creating it as Provision
// would when no worker has yet. An existing bucket is left as the workers
// configured it: unlike Provision, nothing is updated.
func OpenFleetBucket(ctx context.Context, js jetstream.JetStream, t Topology) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, BucketFleet)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, FleetBucketConfig(t))
		if errors.Is(err, jetstream.ErrBucketExists) { // a worker made it meanwhile
			kv, err = js.KeyValue(ctx, BucketFleet)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("NATS bucket %s: %w", BucketFleet, err)
	}
	return kv, nil
}
