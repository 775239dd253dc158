package broker_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestProvisionIsIdempotent: provisioning twice changes nothing, and a
// stream left with other settings (an older version) is brought in line.
func TestProvisionIsIdempotent(t *testing.T) {
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	nc, err := broker.Connect(broker.ConnectConfig{URL: srv.ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// An older deployment's stream, with a shorter duplicate window.
	old := broker.EventsStreamConfig(broker.Topology{})
	old.Duplicates = 10 * time.Second
	old.Description = "old"
	if _, err := js.CreateStream(ctx, old); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		p, err := broker.Provision(ctx, js, broker.Topology{})
		if err != nil {
			t.Fatal(err)
		}
		info, err := p.Events.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Config.Duplicates != 2*time.Minute || info.Config.Retention != jetstream.LimitsPolicy ||
			info.Config.Storage != jetstream.FileStorage || info.Config.Subjects[0] != schemas.StreamEventsSubjects {
			t.Fatalf("events stream: %+v", info.Config)
		}
		ci, err := p.Consumer.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.Name != schemas.ConsumerWorker || ci.Config.AckPolicy != jetstream.AckExplicitPolicy || ci.Config.MaxDeliver != -1 {
			t.Fatalf("consumer: %+v", ci.Config)
		}
		for _, name := range []string{schemas.StreamDLQ, "KV_" + schemas.BucketConfig, "KV_" + broker.BucketState, "KV_" + broker.BucketFleet, "OBJ_" + broker.ObjectDirectory} {
			if _, err := js.Stream(ctx, name); err != nil {
				t.Errorf("stream %s: %v", name, err)
			}
		}
	}
	names := js.StreamNames(ctx)
	n := 0
	for range names.Name() {
		n++
	}
	if n != 6 {
		t.Errorf("%d streams after provisioning twice, want 6", n)
	}
}
