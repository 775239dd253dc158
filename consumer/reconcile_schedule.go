package consumer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/lease"
	"github.com/pbxlink/pbxlink/zoom"
)

// ReconcileSchedule says how often the fleet reconciles Zoom with the
// rooms' state, and how fast.
type ReconcileSchedule struct {
	// Interval between the fleet's runs (one replica runs each). Default
	// 1 h; negative: never. A new fleet runs first one interval after it
	// starts.
	Interval time.Duration
	// Rates is the reconciler's own pace, in Zoom calls a second per API
	// family (ReconcileRates). Default: DefaultReconcileShare of the Pro
	// plan's Medium limits.
	Rates map[zoom.Family]float64
}

// DefaultReconcileInterval is the default interval between runs.
const DefaultReconcileInterval = time.Hour

func (s ReconcileSchedule) withDefaults() ReconcileSchedule {
	if s.Interval == 0 {
		s.Interval = DefaultReconcileInterval
	}
	if s.Rates == nil {
		s.Rates, _ = ReconcileRates(zoom.LimiterConfig{}, DefaultReconcileShare)
	}
	return s
}

func (s ReconcileSchedule) validate() error {
	for f, r := range s.Rates {
		if r < 0 {
			return fmt.Errorf("consumer: Config.Reconcile.Rates[%s] %v: must not be negative", f, r)
		}
	}
	return nil
}

// The fleet reconciles once per interval: the replica that wins the lease
// in the fleet bucket runs, renewing the lease while it does, and records
// when the run began under reconcileLastKey.
const (
	reconcileLeaseKey = "reconcile.lease"
	reconcileLeaseFor = 2 * time.Minute
	reconcileLastKey  = "reconcile.last"
)

// reconcileLast is the value of reconcileLastKey. Versions before it kept
// Last in the lease's record; that value is read once, when the key is
// still missing.
type reconcileLast struct {
	// Last is when the fleet's last run began.
	Last time.Time `json:"last"`
}

// reconcileLoop runs the fleet's scheduled reconciliation on this replica
// whenever it is due and this replica wins the lease.
func (w *Worker) reconcileLoop(ctx context.Context) {
	s := w.cfg.Reconcile.withDefaults()
	if s.Interval < 0 {
		return
	}
	r, err := NewReconciler(ReconcileConfig{JetStream: w.cfg.JetStream, Zoom: w.cfg.Zoom,
		Target: w.cfg.Target, NameTemplate: w.cfg.NameTemplate, Department: w.cfg.Department,
		MessageManagement: w.cfg.MessageManagement, Location: w.cfg.Location, Rates: s.Rates,
		Logger: w.log, Metrics: w.metrics, Now: w.cfg.Now})
	if err != nil {
		w.log.Error("reconciler not scheduled", "err", err)
		return
	}
	l, err := lease.New(lease.Config{KV: w.nats.Fleet, Key: reconcileLeaseKey, Holder: w.id, TTL: reconcileLeaseFor, Now: w.cfg.Now})
	if err != nil {
		w.log.Error("reconciler not scheduled", "err", err)
		return
	}
	every := max(min(s.Interval/10, time.Minute), 10*time.Millisecond)
	for w.sleep(ctx, every) {
		if w.gate.state() != nil {
			continue // the account's Zoom work is paused
		}
		due, err := w.reconcileTurn(ctx, l, s.Interval)
		if err != nil {
			w.log.Warn("reconcile lease", "err", err)
			continue
		}
		if due {
			w.reconcileHeld(ctx, r, l)
		}
	}
}

// reconcileTurn takes the lease when a run is due; false when it is not
// this replica's turn. A new fleet's first run is one interval from when
// it first looks.
func (w *Worker) reconcileTurn(ctx context.Context, l *lease.Lease, interval time.Duration) (bool, error) {
	due := func() (bool, error) {
		last, err := w.reconcileLast(ctx)
		return err == nil && w.cfg.Now().Sub(last) >= interval, err
	}
	if ok, err := due(); !ok {
		return false, err
	}
	if held, err := l.TryAcquire(ctx); !held {
		return false, err
	}
	// Another replica may have run between the look and the lease.
	ok, err := due()
	if !ok {
		_ = l.Release(context.WithoutCancel(ctx))
	}
	return ok, err
}

// reconcileLast is when the fleet's last run began; it records now when
// nothing is recorded yet (a new fleet).
func (w *Worker) reconcileLast(ctx context.Context) (time.Time, error) {
	var last time.Time
	_, err := broker.UpdateJSON(ctx, w.nats.Fleet, reconcileLastKey, func(cur *reconcileLast, exists bool) (*reconcileLast, error) {
		if exists {
			last = cur.Last
			return nil, nil
		}
		last = w.cfg.Now()
		if e, err := w.nats.Fleet.Get(ctx, reconcileLeaseKey); err == nil {
			var old reconcileLast // an older version's lease record
			if json.Unmarshal(e.Value(), &old) == nil && !old.Last.IsZero() {
				last = old.Last
			}
		}
		return &reconcileLast{Last: last}, nil
	})
	return last, err
}

// reconcileHeld runs under the lease, renewing it; a lease that cannot be
// renewed (another replica took it over) stops the run. A run that was
// neither cut short by shutdown nor by a lost lease is recorded as the
// fleet's last; then the lease is released.
func (w *Worker) reconcileHeld(ctx context.Context, r *Reconciler, l *lease.Lease) {
	started := w.cfg.Now()
	runCtx, cancel := context.WithCancelCause(ctx)
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		if err := l.Keep(runCtx); err != nil {
			w.log.Warn("reconcile lease lost; run stopped", "err", err)
			cancel(err)
		}
	}()
	_, err := r.Run(runCtx, ReconcileOptions{})
	cancel(nil)
	<-kept
	if err != nil && ctx.Err() == nil {
		w.log.Warn("reconcile run failed; next at the next interval", "err", logSafe(err))
	}
	bg := context.WithoutCancel(ctx)
	if ctx.Err() == nil && l.Held() {
		_, err := broker.UpdateJSON(bg, w.nats.Fleet, reconcileLastKey, func(cur *reconcileLast, _ bool) (*reconcileLast, error) {
			if cur.Last.After(started) {
				return nil, nil // a later run is recorded already
			}
			return &reconcileLast{Last: started}, nil
		})
		if err != nil {
			w.log.Warn("reconcile run not recorded; the next may come early", "err", err)
		}
	}
	if err := l.Release(bg); err != nil {
		w.log.Warn("reconcile lease not released", "err", err)
	}
}
