package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/prometheus/client_golang/prometheus"
)

// startCallRecords starts the call-record poller (which reads Zoom only
// while this replica holds the fleet's lease) and the database sink, when
// --call-records is on. The returned stop ends both and closes the
// database.
func startCallRecords(ctx context.Context, js jetstream.JetStream, s runSettings, zc callrecord.CallHistory, rooms callrecord.Rooms, reg prometheus.Registerer, log *slog.Logger) (stop func(), err error) {
	if !s.Calls.Enabled {
		return func() {}, nil
	}
	c := s.Calls
	log = log.With("component", "call-records")
	kv, err := js.CreateOrUpdateKeyValue(ctx, broker.FleetBucketConfig(broker.Topology{Replicas: s.NATSReplicas}))
	if err != nil {
		return nil, fmt.Errorf("NATS bucket %s: %w", broker.BucketFleet, err)
	}
	metrics := callrecord.NewMetrics(reg)
	poller, err := callrecord.NewPoller(callrecord.PollerConfig{
		JetStream: js, Fleet: kv, Zoom: zc, Rooms: rooms, AllExtensions: c.AllExtensions,
		Interval: c.Interval, Overlap: c.Overlap, DailyCap: dailyCap(s.Plan), DailyShare: c.DailyShare,
		Retention: c.Retention, Replicas: s.NATSReplicas, Holder: fleet.ReplicaID(), Metrics: metrics,
		OnError: func(err error) { log.Warn("call records: reading Zoom's call history", "err", err) },
	})
	if err != nil {
		return nil, err
	}
	if _, err := callrecord.EnsureStream(ctx, js, poller.StreamConfig()); err != nil {
		return nil, err
	}
	dataDir, _ := filepath.Abs(s.NATS.DataDir)
	openCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	store, err := callrecord.Open(openCtx, c.DB, dataDir)
	if err != nil {
		return nil, problem("call-db", "%v", err)
	}
	sink, err := callrecord.NewSink(callrecord.SinkConfig{
		JetStream: js, Store: store, Retention: c.Retention, StaleAfter: c.Stale, Metrics: metrics,
		OnError: func(err error) { log.Warn("call records: database sink", "err", err) },
	})
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	kind, where, _ := callrecord.Target(c.DB, dataDir)
	log.Info("call records on", "database", kind, "at", callrecord.Redacted(where), "interval", c.Interval,
		"daily_budget", callrecord.PollerConfig{DailyShare: c.DailyShare, DailyCap: dailyCap(s.Plan)}.Budget(),
		"all_extensions", c.AllExtensions)
	runCtx, stopRun := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for name, run := range map[string]func(context.Context) error{"poller": poller.Run, "sink": sink.Run} {
		wg.Go(func() {
			if err := run(runCtx); err != nil && runCtx.Err() == nil {
				log.Error("call records: "+name+" stopped", "err", err)
			}
		})
	}
	return func() {
		stopRun()
		wg.Wait()
		_ = store.Close()
	}, nil
}
