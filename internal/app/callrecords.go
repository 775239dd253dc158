package app

import (
	"context"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/zoom"
)

// DailyCap is the account's daily cap of Heavy Phone API calls on plan
// (0 for an unknown plan).
func DailyCap(plan string) int {
	p, err := zoom.ParsePlan(plan)
	if err != nil {
		return 0
	}
	l, _ := zoom.Limits(p, zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Heavy})
	return l.Daily
}

// callRecords are the call-record poller (which reads Zoom only while this
// replica holds the fleet's lease) and the database sink.
type callRecords struct {
	store callrecord.Store
	stop  context.CancelFunc
	wg    sync.WaitGroup
}

// startCallRecords opens the call database and starts the poller and the
// sink until ctx ends or close is called; rooms says which extensions are
// rooms (the worker's directory).
func (a *App) startCallRecords(ctx context.Context, rooms callrecord.Rooms) (*callRecords, error) {
	c, log := a.cfg.Calls, a.log.With("component", "call-records")
	metrics := callrecord.NewMetrics(a.reg)
	pc := callrecord.PollerConfig{
		JetStream: a.nats.js, Fleet: a.prov.Fleet, Zoom: a.zoom.client, Rooms: rooms, AllExtensions: c.AllExtensions,
		Interval: c.Interval, Overlap: c.Overlap, DailyCap: DailyCap(a.cfg.Zoom.Plan), DailyShare: c.DailyShare,
		Retention: c.Retention, Replicas: a.cfg.Topology.Replicas, LeaseTTL: c.LeaseTTL, Holder: fleet.ReplicaID(), Metrics: metrics,
		Paused:  a.worker.Paused, // no call-history request while the fleet's Zoom work is paused
		OnError: func(err error) { log.Warn("call records: reading Zoom's call history", "err", err) },
	}.WithDefaults()
	poller, err := callrecord.NewPoller(pc)
	if err != nil {
		return nil, err
	}
	if _, err := callrecord.EnsureStream(ctx, a.nats.js, poller.StreamConfig()); err != nil {
		return nil, err
	}
	openCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	store, err := callrecord.Open(openCtx, c.DB, a.nats.dir)
	if err != nil {
		return nil, flagErr("call-db", "%v", err)
	}
	sink, err := callrecord.NewSink(callrecord.SinkConfig{
		JetStream: a.nats.js, Store: store, Retention: c.Retention, StaleAfter: c.StaleAfter, Metrics: metrics,
		OnError: func(err error) { log.Warn("call records: database sink", "err", err) },
	})
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	kind, where, _ := callrecord.Target(c.DB, a.nats.dir)
	log.Info("call records on", "database", kind, "at", callrecord.Redacted(where), "interval", pc.Interval,
		"daily_budget", pc.Budget(),
		"all_extensions", c.AllExtensions)
	runCtx, stop := context.WithCancel(ctx)
	cr := &callRecords{store: store, stop: stop}
	for name, run := range map[string]func(context.Context) error{"poller": poller.Run, "sink": sink.Run} {
		cr.wg.Go(func() {
			if err := run(runCtx); err != nil && runCtx.Err() == nil {
				log.Error("call records: "+name+" stopped", "err", err)
			}
		})
	}
	return cr, nil
}

// close stops the poller and the sink, waits for them and closes the
// database.
func (cr *callRecords) close() {
	cr.stop()
	cr.wg.Wait()
	_ = cr.store.Close()
}
