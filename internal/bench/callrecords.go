package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// SectionCallRecords measures call records: a 500-room hotel's day of
// calls read from the simulator's call history, published and stored.
const SectionCallRecords = "callrecords"

// callRecordRooms is the hotel of the call-record measurement; its rooms
// make or take callsPerRoom calls a day (the simulator's mix).
const (
	callRecordRooms = 500
	callsPerRoom    = 4
)

// CallRecordsResult is what a day of a hotel's calls costs.
type CallRecordsResult struct {
	Rooms int `json:"rooms"`
	// Entries is the day's call-history entries; Published those of
	// rooms, each published once; Stored the rows in the database.
	Entries   int `json:"entries"`
	Published int `json:"published"`
	Stored    int `json:"stored"`
	// Catchup is the wall time to read the whole day at once (a first
	// start), publish and store it; PerSecond the records a second.
	Catchup   Seconds `json:"catchup_s"`
	PerSecond float64 `json:"per_second"`
	// DayRequests is the Heavy requests of a day of reads at the default
	// interval and overlap, the day simulated on a clock of its own;
	// DailyCap the Pro plan's daily cap of Heavy Phone calls, CapShare the
	// share of it the day used, Share the default share allowed.
	DayRequests int     `json:"day_requests"`
	DailyCap    int     `json:"daily_cap"`
	CapShare    float64 `json:"cap_share"`
	Share       float64 `json:"share"`
}

// dayClock is the simulated day's clock.
type dayClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *dayClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *dayClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type roomRange struct{ first, n int }

func (r roomRange) Has(ext string) bool {
	v, err := strconv.Atoi(ext)
	return err == nil && v >= r.first && v < r.first+r.n
}

func (b *bencher) callRecords(ctx context.Context) error {
	b.progress("call records: a %d-room hotel's day of calls", callRecordRooms)
	r := CallRecordsResult{Rooms: callRecordRooms, Share: callrecord.DefaultDailyShare}
	var err error
	if r.Catchup, r.Entries, r.Published, r.Stored, err = b.callCatchup(ctx); err != nil {
		return fmt.Errorf("call records, catch-up: %w", err)
	}
	r.PerSecond = float64(r.Published) / float64(r.Catchup)
	if r.DayRequests, r.DailyCap, err = b.callDay(ctx); err != nil {
		return fmt.Errorf("call records, a day of reads: %w", err)
	}
	r.CapShare = float64(r.DayRequests) / float64(r.DailyCap)
	b.report.CallRecords = &r
	what := fmt.Sprintf("call records: a %d-room day (%d entries, %d of rooms)", r.Rooms, r.Entries, r.Published)
	b.row(SectionCallRecords, what+", read, published and stored", fmt.Sprintf("%.0f records/s (%.2f s)", r.PerSecond, float64(r.Catchup)),
		">= 100 records/s", verdict(r.PerSecond >= 100 && r.Stored == r.Published))
	b.row(SectionCallRecords, "call records: Heavy requests of a day of reads every 5 min (15 min overlap)",
		fmt.Sprintf("%d = %.2f%% of Pro's %d a day", r.DayRequests, r.CapShare*100, r.DailyCap),
		fmt.Sprintf("<= %.0f%% (the default share)", r.Share*100), verdict(r.CapShare <= r.Share))
	return nil
}

// callSetup is a simulator with the hotel and its day of calls, and an
// embedded NATS server with PBXLINK_CALLS.
type callSetup struct {
	sim   *zoomsim.Server
	zc    *zoom.Client
	js    jetstream.JetStream
	kv    jetstream.KeyValue
	dir   string // scratch: the NATS store, the database
	close func()
}

func (b *bencher) newCallSetup(ctx context.Context, now func() time.Time, day time.Time) (*callSetup, int, error) {
	sim, err := zoomsim.New(zoomsim.Config{Unlimited: true, Now: now,
		Seed: &zoomsim.Seed{Rooms: callRecordRooms, FirstExtension: firstExtension, Staff: 4}})
	if err != nil {
		return nil, 0, err
	}
	if err := sim.Start(); err != nil {
		return nil, 0, err
	}
	calls, err := sim.SimulateCalls(zoomsim.CallTraffic{From: day, To: day.Add(24 * time.Hour), CallsPerRoomPerDay: callsPerRoom, Seed: 1})
	if err != nil {
		sim.Close()
		return nil, 0, err
	}
	dir, err := os.MkdirTemp("", "pbxlink-bench-calls-")
	if err != nil {
		sim.Close()
		return nil, 0, err
	}
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: "127.0.0.1:-1", StoreDir: filepath.Join(dir, "nats")})
	if err != nil {
		sim.Close()
		_ = os.RemoveAll(dir)
		return nil, 0, err
	}
	nc, err := broker.Connect(broker.ConnectConfig{URL: srv.ClientURL()})
	if err != nil {
		srv.Shutdown()
		sim.Close()
		return nil, 0, err
	}
	cleanup := func() { nc.Close(); srv.Shutdown(); srv.WaitForShutdown(); sim.Close(); _ = os.RemoveAll(dir) }
	js, _ := jetstream.New(nc)
	kv, err := js.CreateOrUpdateKeyValue(ctx, broker.FleetBucketConfig(broker.Topology{}))
	if err != nil {
		cleanup()
		return nil, 0, err
	}
	sc := sim.Config()
	zc, err := zoom.New(zoom.Config{URL: sim.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret,
		DefaultAPIURL: "http://127.0.0.1:1", Limiter: zoom.Unlimited{}})
	if err != nil {
		cleanup()
		return nil, 0, err
	}
	return &callSetup{sim: sim, zc: zc, js: js, kv: kv, dir: dir, close: cleanup}, len(calls), nil
}

// callCatchup reads a whole day at once, as a first start does, and waits
// until the database sink (SQLite) stored every published record.
func (b *bencher) callCatchup(ctx context.Context) (Seconds, int, int, int, error) {
	now := time.Now().UTC().Truncate(time.Second)
	s, entries, err := b.newCallSetup(ctx, time.Now, now.Add(-24*time.Hour))
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer s.close()
	m := callrecord.NewMetrics(nil)
	p, err := callrecord.NewPoller(callrecord.PollerConfig{JetStream: s.js, Fleet: s.kv, Zoom: s.zc,
		Rooms: roomRange{firstExtension, callRecordRooms}, FirstLookback: 24*time.Hour + time.Minute, Metrics: m})
	if err != nil {
		return 0, 0, 0, 0, err
	}
	if _, err := callrecord.EnsureStream(ctx, s.js, p.StreamConfig()); err != nil {
		return 0, 0, 0, 0, err
	}
	store, err := callrecord.OpenSQLite(ctx, filepath.Join(s.dir, "calls.db"))
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer store.Close()
	sink, err := callrecord.NewSink(callrecord.SinkConfig{JetStream: s.js, Store: store})
	if err != nil {
		return 0, 0, 0, 0, err
	}
	start := time.Now()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = sink.Run(sctx) }()
	if err := p.Poll(ctx); err != nil {
		return 0, 0, 0, 0, err
	}
	info, err := s.js.Stream(ctx, "PBXLINK_CALLS")
	if err != nil {
		return 0, 0, 0, 0, err
	}
	si, err := info.Info(ctx)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	published := int(si.State.Msgs)
	for {
		stored, err := store.Count(ctx)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		if int(stored) >= published {
			return secs(time.Since(start)), entries, published, int(stored), nil
		}
		if time.Since(start) > 5*time.Minute {
			return 0, 0, 0, 0, fmt.Errorf("%d of %d records stored after 5 minutes", stored, published)
		}
		select {
		case <-ctx.Done():
			return 0, 0, 0, 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// callDay runs a day of reads at the default interval on a clock of its
// own (the day's calls appear in the history as they end) and counts the
// Heavy requests.
func (b *bencher) callDay(ctx context.Context) (requests, dailyCap int, err error) {
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	clock := &dayClock{t: day}
	s, _, err := b.newCallSetup(ctx, clock.Now, day)
	if err != nil {
		return 0, 0, err
	}
	defer s.close()
	pro, _ := zoom.Limits(zoom.PlanPro, zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Heavy})
	p, err := callrecord.NewPoller(callrecord.PollerConfig{JetStream: s.js, Fleet: s.kv, Zoom: s.zc,
		Rooms: roomRange{firstExtension, callRecordRooms}, DailyCap: pro.Daily, Now: clock.Now,
		FirstLookback: callrecord.DefaultInterval})
	if err != nil {
		return 0, 0, err
	}
	if _, err := callrecord.EnsureStream(ctx, s.js, p.StreamConfig()); err != nil {
		return 0, 0, err
	}
	for t := day; t.Before(day.Add(24 * time.Hour)); t = t.Add(callrecord.DefaultInterval) {
		clock.set(t)
		if err := p.Poll(ctx); err != nil {
			return 0, 0, err
		}
	}
	for _, e := range s.sim.Journal() {
		if e.OperationID == zoom.OpListCallHistory.ID && e.Status == 200 {
			requests++
		}
	}
	return requests, pro.Daily, nil
}
