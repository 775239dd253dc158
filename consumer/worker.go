// Package consumer is the pbxlink worker: it consumes PMS events from
// JetStream and makes Zoom show what they say, one extension in publish
// order, many extensions at once, under Zoom's rate limit, with failures
// retried after an interval and then dead-lettered.
package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer/naming"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/lease"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// Worker is one replica of the pbxlink worker. Any number of replicas may
// share one JetStream and one Zoom account.
type Worker struct {
	cfg     Config
	log     *slog.Logger
	metrics *Metrics
	nats    *broker.Provisioned
	states  store
	dir     *directory
	app     *applier
	grants  zoom.Grants
	lanes   *lanes
	gate    *gate
	// dirLease: the right to load the directory for the fleet.
	dirLease *lease.Lease

	ackFloor atomic.Uint64   // the consumer's ack floor (stream sequence)
	ctx      context.Context // handlers' context; cancelled at hard stop
	halt     context.CancelFunc
	bg       context.CancelFunc // background loops
	intake   sync.WaitGroup
	runners  sync.WaitGroup
	loops    sync.WaitGroup
	started  atomic.Bool
	ready    atomic.Bool // Start finished: the fields above are set
	stopping atomic.Bool
	id       string // names this replica in fleet leases and claims
}

// New checks the configuration and returns a worker that has not started.
func New(cfg Config) (*Worker, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Worker{cfg: cfg, log: cfg.Logger, metrics: cfg.Metrics, lanes: newLanes(cfg.MaxPerExtension, maxHeldPerExtension), id: fleet.ReplicaID()}, nil
}

// Grants reports what the Zoom token allows, once Start has run (a copy).
func (w *Worker) Grants() zoom.Grants { return w.grants.Clone() }

// Rooms is a read-only view of the extensions the worker knows: the
// call-record poller asks it which calls are rooms'.
type Rooms interface {
	// Has reports whether a Zoom user or common area has the extension.
	Has(ext string) bool
	// Len is the number of extensions known.
	Len() int
}

// Rooms is the worker's view of its extension directory, once Start has
// run (nil before).
func (w *Worker) Rooms() Rooms {
	if w.dir == nil {
		return nil
	}
	return w.dir
}

// Start checks the Zoom scopes, creates or updates the NATS topology, loads
// the directory and begins consuming. It returns once the worker is
// consuming; stop it with Stop.
func (w *Worker) Start(ctx context.Context) error {
	if !w.started.CompareAndSwap(false, true) {
		return errors.New("consumer: worker already started")
	}
	// Zoom and NATS may both be briefly unavailable while a fleet starts:
	// retry what can succeed later, for up to a minute.
	var g zoom.Grants
	err := broker.Retry(ctx, time.Minute, isPermanent, func() (err error) {
		g, err = w.cfg.Zoom.Grants(ctx)
		return err
	})
	if err != nil {
		return err
	}
	w.grants = g
	for _, f := range zoom.Features() {
		if !g.Enabled[f] && w.uses(f) {
			w.log.Warn("Zoom feature off: scopes missing", "feature", f, "missing", strings.Join(g.MissingFor(f), " "))
		}
	}
	if w.nats = w.cfg.Provisioned; w.nats == nil {
		err = broker.Retry(ctx, time.Minute, nil, func() (err error) {
			w.nats, err = broker.Provision(ctx, w.cfg.JetStream, w.cfg.Topology)
			return err
		})
		if err != nil {
			return err
		}
	}
	if err := w.checkStreamIdentity(ctx); err != nil {
		return err
	}
	w.states = store{js: w.cfg.JetStream, kv: w.nats.State}
	w.gate = &gate{kv: w.nats.Fleet, id: w.id}
	if w.dirLease, err = w.newDirectoryLease(); err != nil {
		return err
	}
	w.dir = newDirectory(w.cfg.Zoom, w.cfg.Target, g.Enabled[zoom.FeatureCommonAreas], w.cfg.Now)
	err = broker.Retry(ctx, time.Minute, isPermanent, func() error {
		return w.syncDirectory(ctx, w.cfg.Now().Add(-startupReuse), 30*time.Second)
	})
	if err != nil {
		return fmt.Errorf("load the extension directory: %w", err)
	}
	w.metrics.directory.Set(float64(w.dir.Len()))
	w.app = &applier{
		log: w.log, tmpl: naming.MustParse(w.cfg.NameTemplate), dept: w.cfg.Department, loc: w.cfg.Location,
		messages: w.cfg.MessageManagement, features: g.Enabled,
		dndFor: w.cfg.DNDDuration, now: w.cfg.Now,
	}
	w.refreshAckFloor(ctx)

	w.ctx, w.halt = context.WithCancel(context.WithoutCancel(ctx))
	var bg context.Context
	bg, w.bg = context.WithCancel(context.WithoutCancel(ctx))
	for range w.cfg.Concurrency {
		w.runners.Add(1)
		go w.runner()
	}
	w.goLoop(func() { w.watchStates(bg) })
	w.goLoop(func() { w.gate.watch(bg, w.sleep) })
	w.goLoop(func() { w.probe(bg) })
	w.goLoop(func() { w.tick(bg) })
	w.goLoop(func() { w.refreshDirectory(bg) })
	w.goLoop(func() { w.reconcileLoop(bg) })
	w.intake.Add(1)
	go w.pull()
	w.ready.Store(true)
	w.log.Info("worker consuming", "consumer", schemas.ConsumerWorker, "concurrency", w.cfg.Concurrency)
	return nil
}

// uses reports whether this worker's settings ever need feature f, so that
// start-up warns only about missing scopes that matter.
func (w *Worker) uses(f zoom.Feature) bool {
	switch f {
	case zoom.FeatureCommonAreas:
		return w.cfg.Target != TargetUsers
	case zoom.FeatureCallRecords:
		return false // not the worker's: the call-record poller says so itself
	}
	return true
}

func (w *Worker) goLoop(f func()) {
	w.loops.Add(1)
	go func() { defer w.loops.Done(); f() }()
}

// Stop stops the worker: it takes no new event, hands back the events it
// holds but has not begun, and lets the ones in progress finish until ctx
// ends (soft stop); then it cancels them, and they are handed back too (hard
// stop), and Stop returns ctx's error. Nothing is lost either way: a
// handed-back event is redelivered.
func (w *Worker) Stop(ctx context.Context) error {
	if !w.ready.Load() || !w.stopping.CompareAndSwap(false, true) {
		return nil
	}
	w.lanes.poke()
	w.intake.Wait()
	for _, j := range w.lanes.idle() {
		j.handBack()
	}
	var err error
	if !w.lanes.emptied(ctx.Done()) {
		w.log.Warn("stop: cancelling events still in progress")
		err = ctx.Err()
		w.halt()
		w.lanes.emptied(nil)
	}
	w.lanes.close()
	w.runners.Wait()
	w.halt()
	w.bg()
	w.loops.Wait()
	return err
}

// runner works on ready lanes until the lanes close.
func (w *Worker) runner() {
	defer w.runners.Done()
	for {
		ln, j, ok := w.lanes.next()
		if !ok {
			return
		}
		if w.handle(w.ctx, j) == parked {
			if !w.stopping.Load() {
				w.lanes.park(ln)
				continue
			}
			j.handBack()
		}
		w.lanes.done(ln, j)
	}
}

// watchStates wakes a parked lane when its extension's state changes (an
// earlier event finished on some replica).
func (w *Worker) watchStates(ctx context.Context) {
	for ctx.Err() == nil {
		watcher, err := w.nats.State.Watch(ctx, "ext.*", jetstream.UpdatesOnly())
		if err != nil {
			w.sleep(ctx, time.Second)
			continue
		}
		for e := range watcher.Updates() {
			if e != nil {
				w.lanes.wake(strings.TrimPrefix(e.Key(), "ext."))
			}
		}
		_ = watcher.Stop()
	}
}

// tick reports progress on held events, refreshes the ack floor, and looks
// at parked lanes again now and then.
func (w *Worker) tick(ctx context.Context) {
	progress := time.NewTicker(w.ackWait() / 3)
	defer progress.Stop()
	floor := time.NewTicker(time.Second)
	defer floor.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-progress.C:
			for _, j := range w.lanes.held() {
				j.progress()
			}
		case <-floor.C:
			w.refreshAckFloor(ctx)
			w.lanes.wakeAll()
		}
	}
}

func (w *Worker) ackWait() time.Duration {
	if d := w.cfg.Topology.AckWait; d > 0 {
		return d
	}
	return broker.DefaultAckWait
}

func (w *Worker) refreshAckFloor(ctx context.Context) {
	info, err := w.nats.Consumer.Info(ctx)
	if err != nil {
		return
	}
	if f := info.AckFloor.Stream; f > w.ackFloor.Load() {
		w.ackFloor.Store(f)
	}
	w.metrics.backlog.Set(float64(info.NumPending + uint64(info.NumAckPending)))
}

// refreshDirectory keeps the directory no older than CacheRefresh: it
// looks often (a tenth of the interval, at most a minute), imports a newer
// snapshot from the fleet, and, when the fleet's is due, loads it if it
// wins the lease.
func (w *Worker) refreshDirectory(ctx context.Context) {
	every := min(w.cfg.CacheRefresh/10, time.Minute)
	slotAt, slot, scheduled := w.cfg.SyncSchedule.Next(w.cfg.Now(), w.cfg.Location)
	wait := func() time.Duration {
		if scheduled {
			return max(min(every, slotAt.Sub(w.cfg.Now())), 0)
		}
		return every
	}
	for w.sleep(ctx, wait()) {
		if p := w.gate.state(); p != nil {
			// Zoom refuses the account (or it was de-authorized): a load
			// would fail, or rebuild a snapshot that was just erased.
			continue
		}
		since := w.cfg.Now().Add(-w.cfg.CacheRefresh)
		if scheduled && !w.cfg.Now().Before(slotAt) {
			// A slot of the schedule: a load made since its start serves
			// it, so the fleet loads once per slot.
			w.log.Info("scheduled directory sync", "slot", slot)
			since = slotAt
			slotAt, slot, scheduled = w.cfg.SyncSchedule.Next(w.cfg.Now(), w.cfg.Location)
		}
		if err := w.syncDirectory(ctx, since, w.cfg.CacheRefresh); err != nil {
			w.log.Warn("directory refresh failed; keeping the old one", "err", err)
			continue
		}
		w.metrics.directory.Set(float64(w.dir.Len()))
	}
}

// sleep waits d; false when ctx ended first.
func (w *Worker) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Ready reports whether the worker can do its job: started, connected to
// NATS, its consumer reachable, Zoom's work not paused for the account, and
// a Zoom token obtainable.
func (w *Worker) Ready(ctx context.Context) error {
	if !w.ready.Load() {
		return errors.New("not started")
	}
	if nc := w.cfg.JetStream.Conn(); nc == nil || !nc.IsConnected() {
		return errors.New("NATS: not connected")
	}
	if _, err := w.nats.Consumer.Info(ctx); err != nil {
		return fmt.Errorf("NATS consumer: %w", err)
	}
	if p := w.gate.state(); p != nil {
		return fmt.Errorf("Zoom work paused since %s: %s", p.Since.UTC().Format(time.RFC3339), p.Reason)
	}
	if _, err := w.cfg.Zoom.Grants(ctx); err != nil {
		return fmt.Errorf("Zoom token: %w", err)
	}
	return nil
}

// isPermanent: at start-up, retrying will not help (missing scopes; Zoom
// refusing the credentials, which at start-up is a setting to correct
// rather than an outage to wait out).
func isPermanent(err error) bool {
	return errors.Is(err, zoom.ErrPermanent) || errors.Is(err, zoom.ErrAccount)
}
