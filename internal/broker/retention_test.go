package broker_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestProvisionAppliesRetention: the streams' MaxAge follows the topology's
// retention, by default 7 days of events and 30 days of dead letters, and
// provisioning brings streams created by an older version (30 days of
// events, dead letters for ever) in line.
func TestProvisionAppliesRetention(t *testing.T) {
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

	// The old version's streams.
	oldEvents := broker.EventsStreamConfig(broker.Topology{})
	oldEvents.MaxAge = 30 * 24 * time.Hour
	oldDLQ := broker.DLQStreamConfig(broker.Topology{})
	oldDLQ.MaxAge = 0
	for _, c := range []jetstream.StreamConfig{oldEvents, oldDLQ} {
		if _, err := js.CreateStream(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	maxAges := func() (events, dlq time.Duration) {
		t.Helper()
		for name, v := range map[string]*time.Duration{schemas.StreamEvents: &events, schemas.StreamDLQ: &dlq} {
			s, err := js.Stream(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			*v = s.CachedInfo().Config.MaxAge
		}
		return events, dlq
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		topo       broker.Topology
		events, dl time.Duration
	}{
		{broker.Topology{}, 7 * day, 30 * day},
		{broker.Topology{History: 2 * day, DeadLetterRetention: 90 * day}, 2 * day, 90 * day},
		{broker.Topology{History: 36 * time.Hour, DeadLetterRetention: 14 * day}, 36 * time.Hour, 14 * day},
	} {
		if _, err := broker.Provision(ctx, js, tc.topo); err != nil {
			t.Fatal(err)
		}
		if ev, dl := maxAges(); ev != tc.events || dl != tc.dl {
			t.Errorf("retention %+v: events keep %v, dead letters %v; want %v, %v", tc.topo, ev, dl, tc.events, tc.dl)
		}
	}
}
