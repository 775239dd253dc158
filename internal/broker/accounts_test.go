package broker_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestDocumentedNATSUsers runs a real nats-server with the repository's
// docs/nats-accounts.conf and proves what docs/nats-security.md says: the
// worker user provisions and uses what pbxlink needs; the PMS user can
// publish events but cannot read the state bucket, write pbxlink-config or
// dead-letter anything.
func TestDocumentedNATSUsers(t *testing.T) {
	pw := map[string]string{"pms": "pms-pw-1", "pbxlink": "worker-pw-2", "operator": "op-pw-3"}
	t.Setenv("PBXLINK_PMS_PASSWORD", pw["pms"])
	t.Setenv("PBXLINK_WORKER_PASSWORD", pw["pbxlink"])
	t.Setenv("PBXLINK_OPERATOR_PASSWORD", pw["operator"])
	opts, err := server.ProcessConfigFile(filepath.Join("..", "..", "docs", "nats-accounts.conf"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.StoreDir, opts.NoLog, opts.NoSigs = "127.0.0.1", -1, t.TempDir(), true, true
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	connect := func(user string) jetstream.JetStream {
		t.Helper()
		nc, err := broker.Connect(broker.ConnectConfig{URL: srv.ClientURL(), User: user, Password: pw[user]})
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		return js
	}

	// The worker: provisions everything and uses its buckets.
	worker := connect("pbxlink")
	p, err := broker.Provision(ctx, worker, broker.Topology{})
	if err != nil {
		t.Fatalf("the worker user cannot provision: %v", err)
	}
	if _, err := p.State.Put(ctx, "ext.1201", []byte(`{"stay":"Lovelace"}`)); err != nil {
		t.Fatalf("worker: state: %v", err)
	}
	if _, err := p.Config.Put(ctx, schemas.KeyDebug, []byte("false")); err != nil {
		t.Fatalf("worker: config: %v", err)
	}
	if _, err := p.Directory.PutBytes(ctx, "snapshot", []byte("sealed")); err != nil {
		t.Fatalf("worker: directory: %v", err)
	}
	if _, err := worker.Publish(ctx, "pbxlink.dlq.ext.1201.checkin", []byte("{}")); err != nil {
		t.Fatalf("worker: dead letter: %v", err)
	}

	// The PMS: publishes events, with JetStream's acknowledgement.
	pms := connect("pms")
	prod, err := producer.New(pms, producer.Config{Source: "pms/test"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := prod.CheckIn(ctx, "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Byron"}})
	if err != nil || res.Ack.Stream != schemas.StreamEvents {
		t.Fatalf("the PMS cannot publish an event: %+v, %v", res, err)
	}
	// ... and nothing else.
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		t.Cleanup(cancel)
		return c
	}
	if _, err := pms.KeyValue(short(), broker.BucketState); err == nil {
		t.Error("the PMS user opened the state bucket")
	}
	if _, err := pms.Publish(short(), "$KV."+schemas.BucketConfig+"."+schemas.KeyDebug, []byte("true")); err == nil {
		t.Error("the PMS user wrote pbxlink-config")
	}
	if _, err := pms.Publish(short(), "pbxlink.dlq.ext.1202.checkin", []byte("{}")); err == nil {
		t.Error("the PMS user wrote a dead letter")
	}
	if _, err := pms.Stream(short(), schemas.StreamEvents); err == nil {
		t.Error("the PMS user read the events stream")
	}

	// What the PMS tried left no trace; the operator sees the worker's.
	op := connect("operator")
	cfg, err := op.KeyValue(ctx, schemas.BucketConfig)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := cfg.Get(ctx, schemas.KeyDebug); err != nil || string(e.Value()) != "false" {
		t.Errorf("pbxlink-config debug: %v, %v; want the worker's false", e, err)
	}
	dlq, err := op.Stream(ctx, schemas.StreamDLQ)
	if err != nil {
		t.Fatal(err)
	}
	if n := dlq.CachedInfo().State.Msgs; n != 1 {
		t.Errorf("%d dead letters, want the worker's one", n)
	}
}
